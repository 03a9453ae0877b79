package org.phylax.identity.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Each rule of the password policy, alone and together. */
class CommonPasswordPolicyTests {

  private final CommonPasswordPolicy policy = new CommonPasswordPolicy();

  @Test
  void violationsWhenPasswordIsLongAndUncommonThenNone() {
    assertThat(policy.violations("nurse.joy", "quartz-lantern-velvet-81")).isEmpty();
  }

  @Test
  void violationsWhenShorterThanTwelveThenSaysSo() {
    assertThat(policy.violations("nurse.joy", "k7#Qv9!zP2m"))
        .containsExactly("it must be at least 12 characters long");
    assertThat(policy.violations("nurse.joy", "k7#Qv9!zP2mX")).isEmpty();
  }

  @Test
  void violationsWhenLongerThan256ThenSaysSo() {
    assertThat(policy.violations("nurse.joy", "xK9".repeat(86)))
        .containsExactly("it must be at most 256 characters long");
  }

  @Test
  void violationsWhenUsernameOrContainingItInAnyCaseThenSaysSo() {
    assertThat(policy.violations("Dr.Octavius1", "dr.octavius1"))
        .containsExactly("it must not be the username");
    assertThat(policy.violations("octavius", "my-OCTAVIUS-lab-2026"))
        .containsExactly("it must not contain the username");
  }

  @Test
  void violationsWhenCommonPasswordThenSaysSoAlsoWithDigitsOrSymbolsAtTheEnds() {
    assertThat(policy.size()).isGreaterThan(25_000);
    // Entries of the shipped list that are 12 characters or more.
    assertThat(policy.violations("someone", "qwerty123456")).containsExactly(common());
    assertThat(policy.violations("someone", "1qaz2wsx3edc")).containsExactly(common());
    // A common word dressed up with digits and symbols.
    assertThat(policy.violations("someone", "Password2024!")).containsExactly(common());
    assertThat(policy.violations("someone", "!!sunshine1234")).containsExactly(common());
  }

  @Test
  void violationsWhenOneCharacterRepeatedThenSaysSo() {
    assertThat(policy.violations("someone", "            "))
        .containsExactly("it must not be one character repeated");
  }

  @Test
  void violationsWhenSeveralRulesBrokenThenEachNamed() {
    assertThat(policy.violations("qwerty", "qwerty"))
        .containsExactly(
            "it must be at least 12 characters long", "it must not be the username", common());
    assertThat(policy.violations("someone", null)).containsExactly("a password is required");
  }

  private static String common() {
    return "it is a commonly used password (or one with digits or symbols added)";
  }
}
