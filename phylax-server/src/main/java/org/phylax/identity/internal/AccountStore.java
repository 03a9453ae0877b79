package org.phylax.identity.internal;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.phylax.crypto.FieldCipher;
import org.phylax.crypto.FieldContext;
import org.phylax.identity.Account;
import org.phylax.identity.Role;
import org.phylax.keys.DataKeys;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The account tables through JDBC, and the encryption of their secret values: display name and TOTP
 * secrets are FieldCipher ciphertexts bound to {@code ("UserAccount", id, 1, field)}, so a value
 * copied to another account or field does not decrypt. Callers hold the transaction.
 */
final class AccountStore {

  static final String TYPE = "UserAccount";
  static final String DISPLAY_NAME = "display_name";
  static final String TOTP_SECRET = "totp_secret";
  static final String TOTP_PENDING = "totp_pending";

  private static final String COLUMNS =
      "id, username, display_name, practitioner_id, patient_id, status, locked_until,"
          + " password_hash, totp_secret, totp_pending, totp_enrolled_at, totp_last_step, version,"
          + " created_at, created_by, updated_at, updated_by";

  private final JdbcTemplate jdbc;
  private final DataKeys keys;

  AccountStore(JdbcTemplate jdbc, DataKeys keys) {
    this.jdbc = jdbc;
    this.keys = keys;
  }

  JdbcTemplate jdbc() {
    return jdbc;
  }

  // ------------------------------------------------------------------ reading

  Optional<AccountRow> byUsername(String username) {
    if (username == null) {
      return Optional.empty();
    }
    return one(
        "select " + COLUMNS + " from user_account where lower(username) = lower(?)", username);
  }

  Optional<AccountRow> byId(UUID id) {
    return one("select " + COLUMNS + " from user_account where id = ?", id);
  }

  /** The row, locked until the end of the caller's transaction. */
  Optional<AccountRow> lockById(UUID id) {
    return one("select " + COLUMNS + " from user_account where id = ? for update", id);
  }

  Optional<AccountRow> lockByUsername(String username) {
    return one(
        "select " + COLUMNS + " from user_account where lower(username) = lower(?) for update",
        username);
  }

  List<AccountRow> all() {
    List<AccountRow> rows =
        jdbc.query(
            "select " + COLUMNS + " from user_account order by lower(username)",
            (rs, n) -> map(rs));
    Map<UUID, Set<Role>> roles = new HashMap<>();
    jdbc.query(
        "select account_id, role from user_account_role",
        rs -> {
          roles
              .computeIfAbsent(rs.getObject(1, UUID.class), k -> EnumSet.noneOf(Role.class))
              .add(Role.of(rs.getString(2)));
        });
    rows.forEach(r -> r.roles = roles.getOrDefault(r.id, Set.of()));
    return rows;
  }

  boolean isEmpty() {
    return !Boolean.TRUE.equals(
        jdbc.queryForObject("select exists (select 1 from user_account)", Boolean.class));
  }

  private Optional<AccountRow> one(String sql, Object arg) {
    List<AccountRow> rows = jdbc.query(sql, (rs, n) -> map(rs), arg);
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    AccountRow row = rows.get(0);
    Set<Role> roles = EnumSet.noneOf(Role.class);
    jdbc.query(
        "select role from user_account_role where account_id = ?",
        rs -> {
          roles.add(Role.of(rs.getString(1)));
        },
        row.id);
    row.roles = roles;
    return Optional.of(row);
  }

  private static AccountRow map(ResultSet rs) throws SQLException {
    AccountRow r = new AccountRow();
    r.id = rs.getObject("id", UUID.class);
    r.username = rs.getString("username");
    r.displayName = rs.getBytes("display_name");
    r.practitionerId = rs.getObject("practitioner_id", UUID.class);
    r.patientId = rs.getObject("patient_id", UUID.class);
    r.status = rs.getString("status");
    r.lockedUntil = instant(rs, "locked_until");
    r.passwordHash = rs.getString("password_hash");
    r.totpSecret = rs.getBytes("totp_secret");
    r.totpPending = rs.getBytes("totp_pending");
    r.totpEnrolledAt = instant(rs, "totp_enrolled_at");
    long step = rs.getLong("totp_last_step");
    r.totpLastStep = rs.wasNull() ? null : step;
    r.version = rs.getLong("version");
    r.createdAt = instant(rs, "created_at");
    r.createdBy = rs.getString("created_by");
    r.updatedAt = instant(rs, "updated_at");
    r.updatedBy = rs.getString("updated_by");
    return r;
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }

  /** The public view of a row at {@code now}, its display name decrypted. */
  Account toAccount(AccountRow r, Instant now) {
    return new Account(
        r.id,
        r.username,
        r.displayName == null ? null : decryptText(r.id, DISPLAY_NAME, r.displayName),
        r.roles,
        r.practitionerId,
        r.patientId,
        r.statusAt(now),
        r.statusAt(now) == org.phylax.identity.AccountStatus.LOCKED ? r.lockedUntil : null,
        r.totpSecret != null,
        r.version,
        r.createdAt,
        r.createdBy,
        r.updatedAt,
        r.updatedBy);
  }

  // ------------------------------------------------------------------ encryption

  byte[] encrypt(UUID account, String field, byte[] plaintext) {
    return keys.fieldCipher().encrypt(plaintext, context(account, field));
  }

  byte[] decrypt(UUID account, String field, byte[] ciphertext) {
    return keys.fieldCipher().decrypt(ciphertext, context(account, field));
  }

  String decryptText(UUID account, String field, byte[] ciphertext) {
    return new String(decrypt(account, field, ciphertext), StandardCharsets.UTF_8);
  }

  static FieldContext context(UUID account, String field) {
    return FieldContext.of(TYPE, account.toString(), 1, field);
  }

  FieldCipher cipher() {
    return keys.fieldCipher();
  }

  // ------------------------------------------------------------------ writing

  void insert(AccountRow r) {
    jdbc.update(
        "insert into user_account ("
            + COLUMNS
            + ", password_changed_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        r.id,
        r.username,
        r.displayName,
        r.practitionerId,
        r.patientId,
        r.status,
        ts(r.lockedUntil),
        r.passwordHash,
        r.totpSecret,
        r.totpPending,
        ts(r.totpEnrolledAt),
        r.totpLastStep,
        r.version,
        ts(r.createdAt),
        r.createdBy,
        ts(r.updatedAt),
        r.updatedBy,
        ts(r.createdAt));
    for (Role role : r.roles) {
      jdbc.update(
          "insert into user_account_role (account_id, role) values (?, ?)", r.id, role.key());
    }
  }

  /**
   * Writes the row's administrative state as a new version (status, lock, second factor) and
   * appends it to the history under {@code change}.
   */
  void saveVersion(AccountRow r, String change, Instant now, String by) {
    r.version++;
    r.updatedAt = now;
    r.updatedBy = by;
    jdbc.update(
        "update user_account set status = ?, locked_until = ?, totp_secret = ?, totp_pending = ?,"
            + " totp_enrolled_at = ?, totp_last_step = ?, version = ?, updated_at = ?,"
            + " updated_by = ? where id = ?",
        r.status,
        ts(r.lockedUntil),
        r.totpSecret,
        r.totpPending,
        ts(r.totpEnrolledAt),
        r.totpLastStep,
        r.version,
        ts(now),
        by,
        r.id);
    history(r, change, now, by);
  }

  void history(AccountRow r, String change, Instant at, String by) {
    jdbc.update(
        "insert into user_account_history (account_id, version, change, username, roles, status,"
            + " locked_until, practitioner_id, patient_id, mfa_enrolled, changed_at, changed_by)"
            + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        r.id,
        r.version,
        change,
        r.username,
        r.roles.stream().map(Role::key).sorted().collect(Collectors.joining(",")),
        r.status,
        ts(r.lockedUntil),
        r.practitionerId,
        r.patientId,
        r.totpSecret != null,
        ts(at),
        by);
  }

  void setPasswordHash(UUID id, String hash, Instant now) {
    jdbc.update(
        "update user_account set password_hash = ?, password_changed_at = ? where id = ?",
        hash,
        ts(now),
        id);
  }

  /** Records an accepted TOTP step unless it (or a later one) was accepted before. */
  boolean acceptStep(UUID id, long step) {
    return jdbc.update(
            "update user_account set totp_last_step = ? where id = ?"
                + " and (totp_last_step is null or totp_last_step < ?)",
            step,
            id,
            step)
        == 1;
  }

  void setPendingTotp(UUID id, byte[] ciphertext) {
    jdbc.update("update user_account set totp_pending = ? where id = ?", ciphertext, id);
  }

  // ------------------------------------------------------------------ failures

  void addFailure(UUID id, Instant at) {
    jdbc.update(
        "insert into user_account_failure (account_id, failed_at) values (?, ?)", id, ts(at));
  }

  int failuresSince(UUID id, Instant since) {
    Integer n =
        jdbc.queryForObject(
            "select count(*) from user_account_failure where account_id = ? and failed_at > ?",
            Integer.class,
            id,
            ts(since));
    return n == null ? 0 : n;
  }

  void clearFailures(UUID id) {
    jdbc.update("delete from user_account_failure where account_id = ?", id);
  }

  void forgetFailuresBefore(UUID id, Instant before) {
    jdbc.update(
        "delete from user_account_failure where account_id = ? and failed_at <= ?", id, ts(before));
  }

  // ------------------------------------------------------------------ recovery codes

  void replaceRecoveryCodes(UUID id, List<byte[]> hashes, Instant now) {
    jdbc.update("delete from user_account_recovery_code where account_id = ?", id);
    for (byte[] hash : hashes) {
      jdbc.update(
          "insert into user_account_recovery_code (account_id, code_hash, created_at)"
              + " values (?, ?, ?)",
          id,
          hash,
          ts(now));
    }
  }

  boolean useRecoveryCode(UUID id, byte[] hash, Instant now) {
    return jdbc.update(
            "update user_account_recovery_code set used_at = ? where account_id = ?"
                + " and code_hash = ? and used_at is null",
            ts(now),
            id,
            hash)
        == 1;
  }

  void deleteRecoveryCodes(UUID id) {
    jdbc.update("delete from user_account_recovery_code where account_id = ?", id);
  }

  // ------------------------------------------------------------------ challenges

  void insertChallenge(UUID challenge, UUID account, Instant now, Instant expires) {
    jdbc.update(
        "insert into sign_in_challenge (id, account_id, created_at, expires_at)"
            + " values (?, ?, ?, ?)",
        challenge,
        account,
        ts(now),
        ts(expires));
  }

  /** The account of a challenge that has not expired at {@code now}. */
  Optional<UUID> challengeAccount(UUID challenge, Instant now) {
    List<UUID> found =
        jdbc.query(
            "select account_id from sign_in_challenge where id = ? and expires_at > ?",
            (rs, n) -> rs.getObject(1, UUID.class),
            challenge,
            ts(now));
    return found.stream().findFirst();
  }

  void deleteChallenge(UUID challenge) {
    jdbc.update("delete from sign_in_challenge where id = ?", challenge);
  }

  void deleteChallenges(UUID account) {
    jdbc.update("delete from sign_in_challenge where account_id = ?", account);
  }

  void deleteExpiredChallenges(Instant now) {
    jdbc.update("delete from sign_in_challenge where expires_at <= ?", ts(now));
  }

  static Timestamp ts(Instant instant) {
    return instant == null ? null : Timestamp.from(instant);
  }
}
