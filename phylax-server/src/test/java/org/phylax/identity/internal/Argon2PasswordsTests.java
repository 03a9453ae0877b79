package org.phylax.identity.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

/** Argon2id with the OWASP parameters, in the PHC string format that carries them. */
class Argon2PasswordsTests {

  private final Argon2Passwords passwords = new Argon2Passwords();

  @Test
  void hashWhenMadeThenArgon2idWithOwaspParametersSixteenByteSaltAndThirtyTwoByteHash() {
    String hash = passwords.hash("quartz-lantern-velvet-81");

    assertThat(hash).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
    String[] parts = hash.split("\\$");
    assertThat(Base64.getDecoder().decode(pad(parts[4]))).hasSize(16);
    assertThat(Base64.getDecoder().decode(pad(parts[5]))).hasSize(32);
    assertThat(passwords.hash("quartz-lantern-velvet-81")).isNotEqualTo(hash); // fresh salt
  }

  @Test
  void matchesWhenRightPasswordThenTrueOtherwiseFalse() {
    String hash = passwords.hash("quartz-lantern-velvet-81");

    assertThat(passwords.matches("quartz-lantern-velvet-81", hash)).isTrue();
    assertThat(passwords.matches("quartz-lantern-velvet-82", hash)).isFalse();
    assertThat(passwords.matches(null, hash)).isFalse();
    assertThat(passwords.matchesNothing("quartz-lantern-velvet-81")).isFalse();
  }

  @Test
  void needsRehashWhenWeakerParametersThenTrueForOursFalse() {
    String older = Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8().encode("x-y-z-long-one");

    assertThat(older).contains("m=16384");
    assertThat(passwords.matches("x-y-z-long-one", older)).isTrue();
    assertThat(passwords.needsRehash(older)).isTrue();
    assertThat(passwords.needsRehash(passwords.hash("x-y-z-long-one"))).isFalse();
  }

  private static String pad(String base64) {
    return base64 + "=".repeat((4 - base64.length() % 4) % 4);
  }
}
