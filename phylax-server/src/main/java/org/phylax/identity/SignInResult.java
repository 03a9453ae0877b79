package org.phylax.identity;

import java.util.Optional;

/**
 * What a sign-in step answered. With {@link Outcome#MFA_REQUIRED} or {@link
 * Outcome#MFA_ENROLLMENT_REQUIRED} it carries the challenge id for the next step; with {@link
 * Outcome#SIGNED_IN} the account; after enrollment, the new recovery codes. Nothing else: a refusal
 * does not say whether the username exists.
 */
public final class SignInResult {

  /** The answer of a sign-in step. */
  public enum Outcome {
    /** Password accepted; a TOTP or recovery code comes next. */
    MFA_REQUIRED,
    /** Password accepted; the user must enroll a TOTP authenticator (workforce without one). */
    MFA_ENROLLMENT_REQUIRED,
    /** Signed in. */
    SIGNED_IN,
    /** Wrong username, password or code; the same answer for an unknown username. */
    BAD_CREDENTIALS,
    /** Locked after too many failures, until the lock ends or an admin unlocks it. */
    LOCKED,
    /** Disabled by an administrator. */
    DISABLED,
    /** The challenge of the second step is unknown or too old: start again with the password. */
    EXPIRED
  }

  private final Outcome outcome;
  private final String challenge;
  private final Account account;
  private final RecoveryCodes recoveryCodes;

  private SignInResult(
      Outcome outcome, String challenge, Account account, RecoveryCodes recoveryCodes) {
    this.outcome = outcome;
    this.challenge = challenge;
    this.account = account;
    this.recoveryCodes = recoveryCodes;
  }

  /** A refusal ({@code BAD_CREDENTIALS}, {@code LOCKED}, {@code DISABLED}, {@code EXPIRED}). */
  public static SignInResult refused(Outcome outcome) {
    if (outcome == Outcome.SIGNED_IN
        || outcome == Outcome.MFA_REQUIRED
        || outcome == Outcome.MFA_ENROLLMENT_REQUIRED) {
      throw new IllegalArgumentException(outcome + " is not a refusal");
    }
    return new SignInResult(outcome, null, null, null);
  }

  /** Password accepted, second step pending under {@code challenge}. */
  public static SignInResult challenge(Outcome outcome, String challenge) {
    if (outcome != Outcome.MFA_REQUIRED && outcome != Outcome.MFA_ENROLLMENT_REQUIRED) {
      throw new IllegalArgumentException(outcome + " has no challenge");
    }
    return new SignInResult(outcome, challenge, null, null);
  }

  public static SignInResult signedIn(Account account, RecoveryCodes recoveryCodes) {
    return new SignInResult(Outcome.SIGNED_IN, null, account, recoveryCodes);
  }

  public Outcome outcome() {
    return outcome;
  }

  /** The id to pass to the second step; keep it server-side (in the session), never in a URL. */
  public Optional<String> challenge() {
    return Optional.ofNullable(challenge);
  }

  /** The account that signed in. */
  public Optional<Account> account() {
    return Optional.ofNullable(account);
  }

  /** The recovery codes made by a completed enrollment, to show once. */
  public Optional<RecoveryCodes> recoveryCodes() {
    return Optional.ofNullable(recoveryCodes);
  }

  @Override
  public String toString() {
    return "SignInResult[" + outcome + (account == null ? "" : ", account=" + account.id()) + "]";
  }
}
