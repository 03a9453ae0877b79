package org.phylax.identity.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RecoveryCodeHashingTests {

  private final RecoveryCodeHashing recovery = new RecoveryCodeHashing(new SecureRandom());

  @Test
  void newCodesWhenMadeThenTenDistinctCodesOfEightyBits() {
    List<String> codes = recovery.newCodes();

    assertThat(codes).hasSize(10).doesNotHaveDuplicates();
    assertThat(codes).allMatch(c -> c.matches("[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}"));
  }

  @Test
  void normalizeWhenTypedLooselyThenSameCodeAndHash() {
    UUID account = UUID.randomUUID();
    String code = "7k2m-9xq4-ab0c-1def";

    assertThat(RecoveryCodeHashing.normalize(" 7K2M 9XQ4-AB0C-lDEF "))
        .isEqualTo("7k2m9xq4ab0c1def");
    assertThat(RecoveryCodeHashing.normalize("7k2m-9xq4-abOc-1def")).isEqualTo("7k2m9xq4ab0c1def");
    assertThat(RecoveryCodeHashing.normalize("123456")).isNull();
    assertThat(RecoveryCodeHashing.normalize("7k2m-9xq4-ab0c-1def-0")).isNull();
    assertThat(RecoveryCodeHashing.hash(account, RecoveryCodeHashing.normalize(code)))
        .hasSize(32)
        .isEqualTo(RecoveryCodeHashing.hash(account, "7k2m9xq4ab0c1def"))
        .isNotEqualTo(RecoveryCodeHashing.hash(UUID.randomUUID(), "7k2m9xq4ab0c1def"));
    assertThat(new HashSet<>(recovery.newCodes())).hasSize(10);
  }
}
