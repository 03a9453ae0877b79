package org.phylax.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class FieldContextTests {

  @Test
  void associatedDataWhenEncodedThenIsTagAndLengthPrefixedParts() {
    // Written out by hand from the format in the Javadoc and docs/crypto.md: "phylax.field.v1",
    // then 00000007 "Patient", 00000003 "p-1", 00000001 "1", 00000004 "name".
    String expected =
        "7068796c61782e6669656c642e7631"
            + "00000007"
            + "50617469656e74"
            + "00000003"
            + "702d31"
            + "00000001"
            + "31"
            + "00000004"
            + "6e616d65";

    byte[] ad = FieldContext.of("Patient", "p-1", 1, "name").associatedData();

    assertThat(HexFormat.of().formatHex(ad)).isEqualTo(expected);
  }

  @Test
  void associatedDataWhenPartsShiftCharactersThenDiffers() {
    // Without length prefixes "ab"+"c" and "a"+"bc" would be the same bytes.
    byte[] left = FieldContext.of("Patient", "ab", 1, "cname").associatedData();
    byte[] right = FieldContext.of("Patient", "abc", 1, "name").associatedData();

    assertThat(left).isNotEqualTo(right);
  }

  @Test
  void associatedDataWhenNonAsciiThenLengthCountsUtf8Bytes() {
    byte[] ad = FieldContext.of("Patient", "é", 1, "name").associatedData();

    // tag (15) + type (4+7) + id (4+2: é is two UTF-8 bytes) + version (4+1) + field (4+4)
    assertThat(ad).hasSize(15 + 11 + 6 + 5 + 8);
  }

  @Test
  void ofWhenVersionBelowOneThenThrows() {
    assertThatThrownBy(() -> FieldContext.of("Patient", "p-1", 0, "name"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ofWhenAnyPartEmptyThenThrowsNamingThePart() {
    assertThatThrownBy(() -> FieldContext.of("", "p-1", 1, "name"))
        .hasMessageContaining("resourceType");
    assertThatThrownBy(() -> FieldContext.of("Patient", null, 1, "name"))
        .hasMessageContaining("resourceId");
    assertThatThrownBy(() -> FieldContext.of("Patient", "p-1", 1, ""))
        .hasMessageContaining("field");
  }

  @Test
  void equalsWhenSamePartsThenEqualAndSameHash() {
    FieldContext a = FieldContext.of("Patient", "p-1", 3, "name");
    FieldContext b = FieldContext.of("Patient", "p-1", 3, "name");

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(FieldContext.of("Patient", "p-1", 4, "name"));
  }
}
