package org.phylax.identity;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Administration of user accounts: create, look up, list, disable and enable, unlock, reset the
 * second factor, and passwords. Every change is checked completely before anything is written, is
 * written in one transaction with a new history version, and is recorded in the audit log with its
 * {@link Actor}; a refused request ({@link AccountException}) changes nothing.
 */
public interface Accounts {

  /**
   * Creates an account, active, without a second factor (workforce users enroll at their first
   * sign-in).
   *
   * @throws AccountException when the username is malformed, taken ({@link
   *     UsernameTakenException}), no role is given, both a Practitioner and a Patient are linked, a
   *     patient account has no Patient, or the password is weak ({@link WeakPasswordException})
   */
  Account create(NewAccount account, Actor actor);

  /** The account with this username, compared without regard to case. */
  Optional<Account> find(String username);

  Optional<Account> findById(UUID id);

  /** Every account, by username. */
  List<Account> list();

  /** Whether any account exists (for the bootstrap). */
  boolean isEmpty();

  /**
   * Stops the account from signing in; its pending sign-ins end at once.
   *
   * @throws AccountNotFoundException when there is no such account
   */
  Account disable(String username, String reason, Actor actor);

  /** Lets a disabled account sign in again (with its password and second factor as before). */
  Account enable(String username, Actor actor);

  /** Ends a lockout now and forgets the failed attempts. */
  Account unlock(String username, Actor actor);

  /**
   * Removes the account's TOTP secret and recovery codes. A workforce user then enrolls anew at the
   * next sign-in; a patient signs in with the password alone until enrolling again.
   */
  Account resetMfa(String username, Actor actor);

  /**
   * The user changes their own password, proving the current one.
   *
   * @throws AccountException when the current password is wrong (which also counts as a failed
   *     attempt) or the new one is weak
   */
  void changePassword(UUID accountId, String currentPassword, String newPassword, Actor actor);

  /** An administrator or operator sets a new password for the user (e.g. a forgotten one). */
  void resetPassword(String username, String newPassword, Actor actor);

  /**
   * Starts (or restarts) TOTP enrollment for a signed-in user: a new secret, kept pending until
   * {@link #confirmTotp} proves the user's authenticator has it.
   */
  TotpEnrollment beginTotp(UUID accountId);

  /**
   * Makes the pending secret the account's second factor when {@code code} is valid for it, and
   * returns ten new one-time recovery codes, shown to the user this once.
   *
   * @throws AccountException when there is no pending enrollment or the code is wrong
   */
  RecoveryCodes confirmTotp(UUID accountId, String code, Actor actor);
}
