package org.phylax.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NormalizersTests {

  @Test
  void nameWhenAccentsCaseAndSpacingDifferThenSameForm() {
    assertThat(Normalizers.name("Renée  O'Brien")).isEqualTo("renee o'brien");
    assertThat(Normalizers.name("RENEE o'brien")).isEqualTo("renee o'brien");
    assertThat(Normalizers.name("  Renée\tO'Brien \n")).isEqualTo("renee o'brien");
  }

  @Test
  void nameWhenDecomposedAccentThenSameAsComposed() {
    // "e" + U+0301 COMBINING ACUTE, as some keyboards and macOS file names produce.
    assertThat(Normalizers.name("Rene\u0301e")).isEqualTo(Normalizers.name("Ren\u00e9e"));
  }

  @Test
  void nameWhenFullwidthLettersThenNfkcFoldsThemToAscii() {
    assertThat(Normalizers.name("\uff32\uff45\uff4e\uff45\uff45")).isEqualTo("renee");
  }

  @Test
  void nameWhenNoBreakOrIdeographicSpaceThenCollapsedToOneSpace() {
    assertThat(Normalizers.name("Anna\u00a0Q.\u3000Sample")).isEqualTo("anna q. sample");
  }

  @Test
  void nameWhenLineSeparatorOrNextLineBetweenPartsThenOneSpace() {
    // U+2028 and U+0085 survive NFKC and are not in Java's default \s.
    assertThat(Normalizers.name("Anna\u2028Sample")).isEqualTo("anna sample");
    assertThat(Normalizers.name("Anna\u0085Sample")).isEqualTo("anna sample");
  }

  @Test
  void nameWhenSharpSThenFoldsToSs() {
    assertThat(Normalizers.name("Weiß")).isEqualTo("weiss").isEqualTo(Normalizers.name("WEISS"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "\t\n", "\u0301"})
  void nameWhenNothingLeftThenThrowsWithoutEchoingInput(String value) {
    assertThatThrownBy(() -> Normalizers.name(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a name needs at least one letter");
  }

  @Test
  void phoneWhenNationalAndInternationalFormsThenSameE164Digits() {
    assertThat(Normalizers.phone("(555) 555-0123", "US")).isEqualTo("15555550123");
    assertThat(Normalizers.phone("+1 555 555 0123", "US")).isEqualTo("15555550123");
    assertThat(Normalizers.phone("555.555.0123", "US")).isEqualTo("15555550123");
  }

  @Test
  void phoneWhenCountryCodeGivenThenDefaultRegionIgnored() {
    // 020 7946 0xxx is the UK range set aside for drama.
    assertThat(Normalizers.phone("+44 20 7946 0958", "US")).isEqualTo("442079460958");
    assertThat(Normalizers.phone("020 7946 0958", "GB")).isEqualTo("442079460958");
  }

  @ParameterizedTest
  @ValueSource(strings = {"55501", "call me maybe", "", "+999 1234"})
  void phoneWhenNotAPhoneNumberThenThrowsWithoutEchoingInput(String value) {
    assertThatThrownBy(() -> Normalizers.phone(value, "US"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasNoCause()
        .satisfies(e -> assertMessageOmits(e, value));
  }

  @Test
  void identifierWhenSsnSeparatorsDifferThenSameForm() {
    assertThat(Normalizers.identifier("123-45-6789"))
        .isEqualTo(Normalizers.identifier("123 45 6789"))
        .isEqualTo("123456789");
  }

  @Test
  void identifierWhenCopiedWithNoBreakSpacesOrUnicodeDashesThenSameForm() {
    // Values pasted from web pages and word processors: NBSP, U+2010 HYPHEN, U+2013 EN DASH,
    // U+2212 MINUS SIGN, fullwidth digits.
    assertThat(Normalizers.identifier("123\u00a045\u00a06789")).isEqualTo("123456789");
    assertThat(Normalizers.identifier("123\u201045\u20136789")).isEqualTo("123456789");
    assertThat(Normalizers.identifier("123\u221245\u22126789")).isEqualTo("123456789");
    assertThat(Normalizers.identifier("\uff11\uff12\uff13-45-6789")).isEqualTo("123456789");
  }

  @Test
  void identifierWhenMixedSeparatorsAndCaseThenStrippedUpperCase() {
    assertThat(Normalizers.identifier(" mrn/00-17_a.b ")).isEqualTo("MRN0017AB");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " - ", "./_"})
  void identifierWhenOnlySeparatorsThenThrows(String value) {
    assertThatThrownBy(() -> Normalizers.identifier(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("an identifier needs at least one character");
  }

  @Test
  void emailWhenCaseAndSpacesDifferThenSameForm() {
    assertThat(Normalizers.email(" Quillon.Testerby@Example.ORG "))
        .isEqualTo(Normalizers.email("quillon.testerby@example.org"))
        .isEqualTo("quillon.testerby@example.org");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"quillon.example.org", "@example.org", "quillon@", "quillon@example@org", ""})
  void emailWhenNotAnAddressThenThrowsWithoutEchoingInput(String value) {
    assertThatThrownBy(() -> Normalizers.email(value))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertMessageOmits(e, value));
  }

  @Test
  void dateWhenIsoTextOrLocalDateThenSameIsoForm() {
    assertThat(Normalizers.date(" 1971-04-02 ")).isEqualTo("1971-04-02");
    assertThat(Normalizers.date(LocalDate.of(1971, 4, 2))).isEqualTo("1971-04-02");
    assertThat(Normalizers.date("2024-02-29")).isEqualTo("2024-02-29");
  }

  @ParameterizedTest
  @ValueSource(strings = {"04/02/1971", "1971-4-2", "2023-02-29", "1971-13-01", "yesterday", ""})
  void dateWhenNotAnIsoDateThenThrowsWithoutEchoingInput(String value) {
    assertThatThrownBy(() -> Normalizers.date(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not an ISO date (yyyy-MM-dd)")
        // DateTimeParseException's own message quotes the input, so it must not be the cause.
        .hasNoCause();
  }

  @Test
  void normalizedNameWhenTokenizedThenEquivalentSpellingsShareToken() {
    BlindIndex index = Keyring.generate().blindIndex(8);

    assertThat(index.token("name", Normalizers.name("Renée  O'Brien")))
        .isEqualTo(index.token("name", Normalizers.name("RENEE o'brien")));
  }

  private static void assertMessageOmits(Throwable e, String value) {
    if (!value.isBlank()) {
      assertThat(e.getMessage()).doesNotContain(value);
    }
  }
}
