package org.phylax.identity;

/**
 * Checks the credentials of someone signing in, in two steps, for the sign-in pages and the
 * authorization server. {@link #checkPassword} answers {@link SignInResult.Outcome#MFA_REQUIRED} or
 * {@link SignInResult.Outcome#MFA_ENROLLMENT_REQUIRED} with a challenge id to keep in the session,
 * and the second step names that challenge. An unknown username takes as long as a known one and
 * gets the same answer as a wrong password. Five failures (password or second factor) within the
 * lockout window lock the account; every attempt is audited with the client's IP address and user
 * agent, never with a password or code.
 */
public interface SignIn {

  /** The first step: username and password. */
  SignInResult checkPassword(String username, String password, ClientInfo client);

  /**
   * The second step: a TOTP code of the account's authenticator, or one of its recovery codes.
   * Answers {@link SignInResult.Outcome#SIGNED_IN}, {@link SignInResult.Outcome#BAD_CREDENTIALS}
   * (the challenge stays usable until it expires or the account locks), {@link
   * SignInResult.Outcome#LOCKED}, {@link SignInResult.Outcome#DISABLED}, or {@link
   * SignInResult.Outcome#EXPIRED} when the challenge is unknown or too old.
   */
  SignInResult checkSecondFactor(String challenge, String code, ClientInfo client);

  /**
   * After {@link SignInResult.Outcome#MFA_ENROLLMENT_REQUIRED}: a new TOTP secret for the user to
   * scan. Calling it again replaces the secret.
   *
   * @throws AccountException when the challenge is unknown, expired, or not for enrollment
   */
  TotpEnrollment beginEnrollment(String challenge);

  /**
   * Completes enrollment with a code from the new authenticator: {@link
   * SignInResult.Outcome#SIGNED_IN} with the account's new recovery codes, or {@link
   * SignInResult.Outcome#BAD_CREDENTIALS} (a failed attempt) when the code is wrong.
   */
  SignInResult confirmEnrollment(String challenge, String code, ClientInfo client);
}
