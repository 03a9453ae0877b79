package org.phylax.identity.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.phylax.audit.AuditAction;
import org.phylax.audit.AuditEvent;
import org.phylax.identity.AccountException;
import org.phylax.identity.AccountStatus;
import org.phylax.identity.ClientInfo;
import org.phylax.identity.RecoveryCodes;
import org.phylax.identity.SignIn;
import org.phylax.identity.SignInResult;
import org.phylax.identity.SignInResult.Outcome;
import org.phylax.identity.TotpEnrollment;

/**
 * Sign-in in two steps over the account tables. The password is verified before anything else is
 * looked at (an unknown username verifies against a dummy hash), so that every answer costs one
 * Argon2id run. A locked account answers {@code LOCKED} whatever the password; a disabled one
 * answers {@code DISABLED} only to the right password. Failures are counted until a full sign-in,
 * so that re-entering the password does not buy more guesses at the second factor.
 */
final class JdbcSignIn implements SignIn {

  static final Duration CHALLENGE_TTL = Duration.ofMinutes(5);

  /** Longer input is refused without hashing it (Argon2 would take it, but nobody types that). */
  static final int MAX_INPUT = 1024;

  private final AccountStore store;
  private final Argon2Passwords passwords;
  private final Totp totp;
  private final MfaEnrollment mfa;
  private final Lockout lockout;
  private final IdentityAudit audit;
  private final Clock clock;

  JdbcSignIn(
      AccountStore store,
      Argon2Passwords passwords,
      Totp totp,
      MfaEnrollment mfa,
      Lockout lockout,
      IdentityAudit audit,
      Clock clock) {
    this.store = store;
    this.passwords = passwords;
    this.totp = totp;
    this.mfa = mfa;
    this.lockout = lockout;
    this.audit = audit;
    this.clock = clock;
  }

  @Override
  public SignInResult checkPassword(String username, String password, ClientInfo client) {
    ClientInfo from = client == null ? ClientInfo.none() : client;
    Optional<AccountRow> found =
        username == null || username.length() > 64 ? Optional.empty() : store.byUsername(username);
    boolean tooLong = password != null && password.length() > MAX_INPUT;
    if (found.isEmpty()) {
      passwords.matchesNothing(tooLong ? "" : password);
      audit.signIn(
          AuditAction.LOGIN_FAILED,
          AuditEvent.Outcome.FAILURE,
          null,
          null,
          from,
          "unknown username");
      return SignInResult.refused(Outcome.BAD_CREDENTIALS);
    }
    AccountRow row = found.get();
    boolean correct =
        tooLong ? passwords.matchesNothing("") : passwords.matches(password, row.passwordHash);
    Instant now = clock.instant();
    AccountStatus status = row.statusAt(now);
    if (status == AccountStatus.LOCKED) {
      failed(AuditAction.LOGIN_FAILED, row, from, "account locked");
      return SignInResult.refused(Outcome.LOCKED);
    }
    if (!correct) {
      failed(AuditAction.LOGIN_FAILED, row, from, "wrong password");
      return SignInResult.refused(
          lockout.recordFailure(row.id, from) ? Outcome.LOCKED : Outcome.BAD_CREDENTIALS);
    }
    if (status == AccountStatus.DISABLED) {
      failed(AuditAction.LOGIN_FAILED, row, from, "account disabled");
      return SignInResult.refused(Outcome.DISABLED);
    }
    if (passwords.needsRehash(row.passwordHash)) {
      store.setPasswordHash(row.id, passwords.hash(password), now);
    }
    if (row.totpSecret != null) {
      return SignInResult.challenge(Outcome.MFA_REQUIRED, newChallenge(row, now));
    }
    if (row.isWorkforce()) {
      return SignInResult.challenge(Outcome.MFA_ENROLLMENT_REQUIRED, newChallenge(row, now));
    }
    return signedIn(row, from, "password", null);
  }

  @Override
  public SignInResult checkSecondFactor(String challenge, String code, ClientInfo client) {
    ClientInfo from = client == null ? ClientInfo.none() : client;
    Instant now = clock.instant();
    Optional<AccountRow> found = accountOf(challenge, now);
    if (found.isEmpty()) {
      audit.signIn(
          AuditAction.MFA,
          AuditEvent.Outcome.FAILURE,
          null,
          null,
          from,
          "unknown or expired challenge");
      return SignInResult.refused(Outcome.EXPIRED);
    }
    AccountRow row = found.get();
    Optional<SignInResult> refused = refuseByStatus(row, now, from);
    if (refused.isPresent()) {
      return refused.get();
    }
    if (row.totpSecret == null) {
      // The second factor was reset since the password step.
      failed(AuditAction.MFA, row, from, "no second factor enrolled");
      return SignInResult.refused(Outcome.EXPIRED);
    }
    String given = code == null ? "" : code.strip().replace(" ", "");
    String method;
    boolean ok;
    if (given.matches("\\d{" + Totp.DIGITS + "}")) {
      method = "totp";
      byte[] secret = store.decrypt(row.id, AccountStore.TOTP_SECRET, row.totpSecret);
      OptionalLong step = totp.matchingStep(secret, given, now);
      ok = step.isPresent() && store.acceptStep(row.id, step.getAsLong());
      if (step.isPresent() && !ok) {
        method = "totp (code already used)";
      }
    } else {
      method = "recovery code";
      String normalized = given.length() > 64 ? null : RecoveryCodeHashing.normalize(given);
      ok =
          normalized != null
              && store.useRecoveryCode(row.id, RecoveryCodeHashing.hash(row.id, normalized), now);
    }
    if (!ok) {
      failed(AuditAction.MFA, row, from, "wrong " + method);
      return SignInResult.refused(
          lockout.recordFailure(row.id, from) ? Outcome.LOCKED : Outcome.BAD_CREDENTIALS);
    }
    audit.signIn(AuditAction.MFA, AuditEvent.Outcome.SUCCESS, row.id, roles(row), from, method);
    store.deleteChallenge(UUID.fromString(challenge));
    return signedIn(row, from, "password and " + method, null);
  }

  @Override
  public TotpEnrollment beginEnrollment(String challenge) {
    Instant now = clock.instant();
    AccountRow row =
        accountOf(challenge, now)
            .orElseThrow(() -> new AccountException("the sign-in has expired; start again"));
    if (row.statusAt(now) != AccountStatus.ACTIVE) {
      throw new AccountException("the account is " + row.statusAt(now).key());
    }
    if (row.totpSecret != null) {
      throw new AccountException("a second factor is already enrolled");
    }
    return mfa.begin(row);
  }

  @Override
  public SignInResult confirmEnrollment(String challenge, String code, ClientInfo client) {
    ClientInfo from = client == null ? ClientInfo.none() : client;
    Instant now = clock.instant();
    Optional<AccountRow> found = accountOf(challenge, now);
    if (found.isEmpty()) {
      audit.signIn(
          AuditAction.MFA_ENROLL,
          AuditEvent.Outcome.FAILURE,
          null,
          null,
          from,
          "unknown or expired challenge");
      return SignInResult.refused(Outcome.EXPIRED);
    }
    AccountRow row = found.get();
    Optional<SignInResult> refused = refuseByStatus(row, now, from);
    if (refused.isPresent()) {
      return refused.get();
    }
    RecoveryCodes codes =
        row.totpSecret != null ? null : mfa.confirm(row.id, code, row.id.toString());
    if (codes == null) {
      failed(AuditAction.MFA_ENROLL, row, from, "code does not match the new secret");
      return SignInResult.refused(
          lockout.recordFailure(row.id, from) ? Outcome.LOCKED : Outcome.BAD_CREDENTIALS);
    }
    audit.signIn(
        AuditAction.MFA_ENROLL,
        AuditEvent.Outcome.SUCCESS,
        row.id,
        roles(row),
        from,
        "totp enrolled, " + codes.codes().size() + " recovery codes");
    store.deleteChallenge(UUID.fromString(challenge));
    return signedIn(row, from, "password and new totp", codes);
  }

  // ------------------------------------------------------------------ helpers

  private Optional<AccountRow> accountOf(String challenge, Instant now) {
    UUID id;
    try {
      id = challenge == null ? null : UUID.fromString(challenge);
    } catch (IllegalArgumentException e) {
      id = null;
    }
    if (id == null) {
      return Optional.empty();
    }
    store.deleteExpiredChallenges(now);
    return store.challengeAccount(id, now).flatMap(store::byId);
  }

  private Optional<SignInResult> refuseByStatus(AccountRow row, Instant now, ClientInfo from) {
    AccountStatus status = row.statusAt(now);
    if (status == AccountStatus.LOCKED) {
      failed(AuditAction.MFA, row, from, "account locked");
      return Optional.of(SignInResult.refused(Outcome.LOCKED));
    }
    if (status == AccountStatus.DISABLED) {
      failed(AuditAction.MFA, row, from, "account disabled");
      return Optional.of(SignInResult.refused(Outcome.DISABLED));
    }
    return Optional.empty();
  }

  private String newChallenge(AccountRow row, Instant now) {
    UUID id = UUID.randomUUID();
    store.insertChallenge(id, row.id, now, now.plus(CHALLENGE_TTL));
    return id.toString();
  }

  private SignInResult signedIn(
      AccountRow row, ClientInfo from, String method, RecoveryCodes codes) {
    lockout.signedIn(row.id);
    audit.signIn(AuditAction.LOGIN, AuditEvent.Outcome.SUCCESS, row.id, roles(row), from, method);
    AccountRow current = store.byId(row.id).orElseThrow();
    return SignInResult.signedIn(store.toAccount(current, clock.instant()), codes);
  }

  private void failed(AuditAction action, AccountRow row, ClientInfo from, String reason) {
    audit.signIn(action, AuditEvent.Outcome.FAILURE, row.id, null, from, reason);
  }

  private static String roles(AccountRow row) {
    return String.join(",", row.roles.stream().map(r -> r.key()).sorted().toList());
  }
}
