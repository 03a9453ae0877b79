package org.phylax.identity.internal;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.phylax.audit.AuditAction;
import org.phylax.audit.AuditEvent;
import org.phylax.crypto.FieldCipher;
import org.phylax.identity.Account;
import org.phylax.identity.AccountBootstrap;
import org.phylax.identity.AccountException;
import org.phylax.identity.AccountNotFoundException;
import org.phylax.identity.AccountSecrets;
import org.phylax.identity.AccountStatus;
import org.phylax.identity.Accounts;
import org.phylax.identity.Actor;
import org.phylax.identity.NewAccount;
import org.phylax.identity.PasswordPolicy;
import org.phylax.identity.RecoveryCodes;
import org.phylax.identity.Role;
import org.phylax.identity.TotpEnrollment;
import org.phylax.identity.UsernameTakenException;
import org.phylax.identity.WeakPasswordException;
import org.phylax.keys.KeyUsage;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Accounts on PostgreSQL. Each change locks the account's row, writes a new version and its history
 * row, and records the audit event inside the same transaction: when the audit log cannot take the
 * event, the change is rolled back. Slow work (Argon2id) happens before the transaction opens.
 */
final class JdbcAccounts implements Accounts, AccountBootstrap, AccountSecrets, KeyUsage {

  static final int MAX_DISPLAY_NAME = 200;
  private static final String USERNAME_RULE = "[A-Za-z0-9][A-Za-z0-9._@-]{2,63}";

  /** Advisory lock key that lets one node only create the first administrator ("phylaxI"). */
  static final long BOOTSTRAP_LOCK = 0x7068796c617849L;

  private static final String PASSWORD_ALPHABET =
      "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

  private final AccountStore store;
  private final TransactionTemplate tx;
  private final Argon2Passwords passwords;
  private final PasswordPolicy policy;
  private final MfaEnrollment mfa;
  private final Lockout lockout;
  private final IdentityAudit audit;
  private final SecureRandom random;
  private final Clock clock;

  JdbcAccounts(
      AccountStore store,
      TransactionTemplate tx,
      Argon2Passwords passwords,
      PasswordPolicy policy,
      MfaEnrollment mfa,
      Lockout lockout,
      IdentityAudit audit,
      SecureRandom random,
      Clock clock) {
    this.store = store;
    this.tx = tx;
    this.passwords = passwords;
    this.policy = policy;
    this.mfa = mfa;
    this.lockout = lockout;
    this.audit = audit;
    this.random = random;
    this.clock = clock;
  }

  // ------------------------------------------------------------------ create

  @Override
  public Account create(NewAccount request, Actor actor) {
    check(request);
    String hash = passwords.hash(request.password());
    Instant now = clock.instant();
    AccountRow row = new AccountRow();
    row.id = UUID.randomUUID();
    row.username = request.username();
    row.roles = request.roles();
    row.practitionerId = request.practitionerId();
    row.patientId = request.patientId();
    row.status = "active";
    row.passwordHash = hash;
    row.version = 1;
    row.createdAt = now;
    row.createdBy = actor.id();
    row.updatedAt = now;
    row.updatedBy = actor.id();
    String displayName = request.displayName() == null ? null : request.displayName().strip();
    if (displayName != null && !displayName.isEmpty()) {
      row.displayName =
          store.encrypt(
              row.id, AccountStore.DISPLAY_NAME, displayName.getBytes(StandardCharsets.UTF_8));
    }
    try {
      tx.executeWithoutResult(
          status -> {
            store.insert(row);
            store.history(row, "created", now, actor.id());
            audit.change(
                AuditAction.ACCOUNT_CREATE,
                AuditEvent.Outcome.SUCCESS,
                actor,
                row.id,
                row.version,
                "roles " + String.join(",", roleKeys(row)));
          });
    } catch (DuplicateKeyException e) {
      throw new UsernameTakenException(request.username());
    }
    return store.toAccount(row, now);
  }

  private void check(NewAccount request) {
    String username = request.username();
    if (username == null || username.isBlank()) {
      throw new AccountException("a username is required");
    }
    if (!username.matches(USERNAME_RULE)) {
      throw new AccountException(
          "username '"
              + (username.length() > 64 ? username.substring(0, 64) + "…" : username)
              + "' is not valid: 3 to 64 letters, digits, '.', '_', '@' or '-', starting with a"
              + " letter or digit");
    }
    if (request.roles().isEmpty()) {
      throw new AccountException("at least one role is required (roles: " + Role.allKeys() + ")");
    }
    boolean patient = request.roles().contains(Role.PATIENT);
    if (patient && request.roles().size() > 1) {
      throw new AccountException("a patient account cannot also have workforce roles");
    }
    if (request.practitionerId() != null && request.patientId() != null) {
      throw new AccountException("link either a Practitioner or a Patient, not both");
    }
    if (patient && request.patientId() == null) {
      throw new AccountException("a patient account must be linked to its Patient");
    }
    if (!patient && request.patientId() != null) {
      throw new AccountException("only a patient account is linked to a Patient");
    }
    if (patient && request.practitionerId() != null) {
      throw new AccountException("a patient account is not linked to a Practitioner");
    }
    String name = request.displayName();
    if (name != null
        && (name.strip().length() > MAX_DISPLAY_NAME
            || name.codePoints().anyMatch(Character::isISOControl))) {
      throw new AccountException(
          "the display name must be at most "
              + MAX_DISPLAY_NAME
              + " characters, without control characters");
    }
    List<String> weak = policy.violations(username, request.password());
    if (!weak.isEmpty()) {
      throw new WeakPasswordException(weak);
    }
    if (store.byUsername(username).isPresent()) {
      throw new UsernameTakenException(username);
    }
  }

  private static List<String> roleKeys(AccountRow row) {
    return row.roles.stream().map(Role::key).sorted().toList();
  }

  // ------------------------------------------------------------------ reading

  @Override
  public Optional<Account> find(String username) {
    Instant now = clock.instant();
    return store.byUsername(username).map(r -> store.toAccount(r, now));
  }

  @Override
  public Optional<Account> findById(UUID id) {
    Instant now = clock.instant();
    return store.byId(id).map(r -> store.toAccount(r, now));
  }

  @Override
  public List<Account> list() {
    Instant now = clock.instant();
    return store.all().stream().map(r -> store.toAccount(r, now)).toList();
  }

  @Override
  public boolean isEmpty() {
    return store.isEmpty();
  }

  // ------------------------------------------------------------------ status

  private interface Change {
    /** Changes the row; returns the audit reason. */
    String apply(AccountRow row, Instant now);
  }

  private Account change(
      String username, Actor actor, AuditAction action, String history, Change change) {
    Instant now = clock.instant();
    AccountRow changed =
        tx.execute(
            status -> {
              AccountRow row =
                  store
                      .lockByUsername(username)
                      .orElseThrow(() -> new AccountNotFoundException(username));
              String reason = change.apply(row, now);
              store.saveVersion(row, history, now, actor.id());
              audit.change(action, AuditEvent.Outcome.SUCCESS, actor, row.id, row.version, reason);
              return row;
            });
    return store.toAccount(changed, now);
  }

  @Override
  public Account disable(String username, String reason, Actor actor) {
    if (reason == null || reason.isBlank()) {
      throw new AccountException("a reason is required to disable an account");
    }
    String why = reason.strip();
    if (why.length() > 500 || why.codePoints().anyMatch(Character::isISOControl)) {
      throw new AccountException(
          "the reason must be at most 500 characters, without control characters");
    }
    return change(
        username,
        actor,
        AuditAction.ACCOUNT_DISABLE,
        "disabled",
        (row, now) -> {
          row.status = "disabled";
          row.lockedUntil = null;
          store.deleteChallenges(row.id);
          return why;
        });
  }

  @Override
  public Account enable(String username, Actor actor) {
    return change(
        username,
        actor,
        AuditAction.ACCOUNT_ENABLE,
        "enabled",
        (row, now) -> {
          String was = row.statusAt(now).key();
          if ("disabled".equals(row.status)) {
            row.status = "active";
          }
          return "was " + was;
        });
  }

  @Override
  public Account unlock(String username, Actor actor) {
    return change(
        username,
        actor,
        AuditAction.ACCOUNT_UNLOCK,
        "unlocked",
        (row, now) -> {
          String was = row.statusAt(now).key();
          if ("locked".equals(row.status)) {
            row.status = "active";
            row.lockedUntil = null;
          }
          store.clearFailures(row.id);
          return "was " + was;
        });
  }

  @Override
  public Account resetMfa(String username, Actor actor) {
    return change(
        username,
        actor,
        AuditAction.MFA_RESET,
        "mfa-reset",
        (row, now) -> {
          String reason = row.totpSecret == null ? "no second factor was enrolled" : "totp removed";
          row.totpSecret = null;
          row.totpPending = null;
          row.totpEnrolledAt = null;
          row.totpLastStep = null;
          store.deleteRecoveryCodes(row.id);
          store.deleteChallenges(row.id);
          return reason;
        });
  }

  // ------------------------------------------------------------------ passwords

  @Override
  public void changePassword(
      UUID accountId, String currentPassword, String newPassword, Actor actor) {
    AccountRow row =
        store.byId(accountId).orElseThrow(() -> new AccountNotFoundException(accountId.toString()));
    if (row.statusAt(clock.instant()) != AccountStatus.ACTIVE) {
      throw new AccountException("the account is " + row.statusAt(clock.instant()).key());
    }
    if (!passwords.matches(currentPassword, row.passwordHash)) {
      lockout.recordFailure(row.id, actor.client());
      audit.change(
          AuditAction.PASSWORD_CHANGE,
          AuditEvent.Outcome.FAILURE,
          actor,
          row.id,
          row.version,
          "current password wrong");
      throw new AccountException("the current password is not correct");
    }
    setPassword(row, newPassword, actor, "changed by the user");
  }

  @Override
  public void resetPassword(String username, String newPassword, Actor actor) {
    AccountRow row =
        store.byUsername(username).orElseThrow(() -> new AccountNotFoundException(username));
    setPassword(row, newPassword, actor, "reset by " + actor.role());
  }

  private void setPassword(AccountRow row, String newPassword, Actor actor, String reason) {
    List<String> weak = policy.violations(row.username, newPassword);
    if (!weak.isEmpty()) {
      throw new WeakPasswordException(weak);
    }
    String hash = passwords.hash(newPassword);
    Instant now = clock.instant();
    tx.executeWithoutResult(
        status -> {
          store.setPasswordHash(row.id, hash, now);
          audit.change(
              AuditAction.PASSWORD_CHANGE,
              AuditEvent.Outcome.SUCCESS,
              actor,
              row.id,
              row.version,
              reason);
        });
  }

  // ------------------------------------------------------------------ TOTP

  @Override
  public TotpEnrollment beginTotp(UUID accountId) {
    AccountRow row =
        store.byId(accountId).orElseThrow(() -> new AccountNotFoundException(accountId.toString()));
    return mfa.begin(row);
  }

  @Override
  public RecoveryCodes confirmTotp(UUID accountId, String code, Actor actor) {
    RecoveryCodes codes = mfa.confirm(accountId, code, actor.id());
    if (codes == null) {
      audit.change(
          AuditAction.MFA_ENROLL,
          AuditEvent.Outcome.FAILURE,
          actor,
          accountId,
          null,
          "code does not match the pending secret");
      throw new AccountException(
          "the code does not match the new authenticator (or no enrollment was started)");
    }
    audit.change(
        AuditAction.MFA_ENROLL,
        AuditEvent.Outcome.SUCCESS,
        actor,
        accountId,
        null,
        "totp enrolled, " + codes.codes().size() + " recovery codes");
    return codes;
  }

  // ------------------------------------------------------------------ bootstrap

  @Override
  public Optional<InitialPassword> createAdminIfNoAccounts() {
    if (!store.isEmpty()) {
      return Optional.empty();
    }
    return tx.execute(
        status -> {
          store
              .jdbc()
              .queryForObject("select pg_advisory_xact_lock(?)", Object.class, BOOTSTRAP_LOCK);
          if (!store.isEmpty()) {
            return Optional.<InitialPassword>empty();
          }
          String password = randomPassword(ADMIN);
          create(
              NewAccount.builder(ADMIN).role(Role.ADMIN).password(password).build(),
              Actor.system("bootstrap"));
          return Optional.of(new InitialPassword(ADMIN, password));
        });
  }

  /** A random password of 20 characters (about 115 bits) that the policy accepts. */
  String randomPassword(String username) {
    while (true) {
      StringBuilder out = new StringBuilder(20);
      for (int i = 0; i < 20; i++) {
        out.append(PASSWORD_ALPHABET.charAt(random.nextInt(PASSWORD_ALPHABET.length())));
      }
      if (policy.violations(username, out.toString()).isEmpty()) {
        return out.toString();
      }
    }
  }

  // ------------------------------------------------------------------ keys

  @Override
  public Map<Integer, Long> valuesPerKey() {
    Map<Integer, Long> counts = new HashMap<>();
    store
        .jdbc()
        .query(
            "select display_name, totp_secret, totp_pending from user_account",
            rs -> {
              for (int i = 1; i <= 3; i++) {
                byte[] value = rs.getBytes(i);
                if (value != null) {
                  counts.merge(FieldCipher.keyIdOf(value), 1L, Long::sum);
                }
              }
            });
    return counts;
  }

  @Override
  public long remaining() {
    int primary = store.cipher().primaryKeyId();
    return valuesPerKey().entrySet().stream()
        .filter(e -> e.getKey() != primary)
        .mapToLong(Map.Entry::getValue)
        .sum();
  }

  @Override
  public long reencrypt() {
    List<UUID> ids = store.jdbc().queryForList("select id from user_account", UUID.class);
    long done = 0;
    for (UUID id : ids) {
      Long n =
          tx.execute(
              status -> {
                AccountRow row = store.lockById(id).orElseThrow();
                int primary = store.cipher().primaryKeyId();
                long rewritten = 0;
                byte[] name = row.displayName;
                byte[] secret = row.totpSecret;
                byte[] pending = row.totpPending;
                if (name != null && FieldCipher.keyIdOf(name) != primary) {
                  name = reseal(id, AccountStore.DISPLAY_NAME, name);
                  rewritten++;
                }
                if (secret != null && FieldCipher.keyIdOf(secret) != primary) {
                  secret = reseal(id, AccountStore.TOTP_SECRET, secret);
                  rewritten++;
                }
                if (pending != null && FieldCipher.keyIdOf(pending) != primary) {
                  pending = reseal(id, AccountStore.TOTP_PENDING, pending);
                  rewritten++;
                }
                if (rewritten > 0) {
                  store
                      .jdbc()
                      .update(
                          "update user_account set display_name = ?, totp_secret = ?,"
                              + " totp_pending = ? where id = ?",
                          name,
                          secret,
                          pending,
                          id);
                }
                return rewritten;
              });
      done += n == null ? 0 : n;
    }
    return done;
  }

  private byte[] reseal(UUID id, String field, byte[] ciphertext) {
    return store.encrypt(id, field, store.decrypt(id, field, ciphertext));
  }
}
