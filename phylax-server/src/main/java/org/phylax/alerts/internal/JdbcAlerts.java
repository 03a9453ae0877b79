package org.phylax.alerts.internal;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.phylax.access.AccessAction;
import org.phylax.access.Denial;
import org.phylax.alerts.Alert;
import org.phylax.alerts.AlertAlreadyAcknowledgedException;
import org.phylax.alerts.AlertNotFoundException;
import org.phylax.alerts.Alerts;
import org.phylax.crypto.FieldCipher;
import org.phylax.crypto.FieldContext;
import org.phylax.keys.DataKeys;
import org.phylax.keys.SealedValues;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Alerts in table {@code alert} (V10), listed by the order they were raised with keyset paging on
 * that sequence number. The acknowledgement note is encrypted: an officer may well write a name.
 */
@Component
class JdbcAlerts implements Alerts, SealedValues {

  private static final String COLUMNS =
      "seq, id, created_at, severity, kind, account_id, actor, roles, patient_id, resource_type,"
          + " action, rule, grant_id, grant_expires_at, overrides_consent_denial, source_ip,"
          + " status, acknowledged_by, acknowledged_at, note";

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final DataKeys keys;
  private final Clock clock;

  JdbcAlerts(JdbcClient jdbc, TransactionTemplate tx, DataKeys keys, ObjectProvider<Clock> clock) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.keys = keys;
    this.clock = clock.getIfAvailable(Clock::systemUTC);
  }

  /** Stores a new, open alert. */
  void raise(Alert alert) {
    jdbc.sql(
            "insert into alert (id, created_at, raised_at, severity, kind, account_id, actor,"
                + " roles, patient_id, resource_type, action, rule, grant_id, grant_expires_at,"
                + " overrides_consent_denial, source_ip, status)"
                + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'OPEN')")
        .params(
            alert.id(),
            ts(alert.createdAt()),
            ts(clock.instant()),
            alert.severity().name(),
            alert.kind().name(),
            alert.accountId().orElse(null),
            alert.actor().orElse(null),
            String.join(",", new TreeSet<>(alert.roles())),
            alert.patientId().orElse(null),
            alert.resourceType().orElse(null),
            alert.action().map(Enum::name).orElse(null),
            alert.rule().map(Enum::name).orElse(null),
            alert.grantId().orElse(null),
            alert.grantExpiresAt().map(JdbcAlerts::ts).orElse(null),
            alert.overridesConsentDenial(),
            alert.sourceIp().orElse(null))
        .update();
  }

  @Override
  public Page list(Alert.Status status, int limit, String cursor) {
    if (limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new IllegalArgumentException(
          "limit must be between 1 and " + MAX_PAGE_SIZE + ", not " + limit);
    }
    StringBuilder sql = new StringBuilder("select " + COLUMNS + " from alert where true");
    List<Object> args = new ArrayList<>();
    if (status != null) {
      sql.append(" and status = ?");
      args.add(status.name());
    }
    if (cursor != null) {
      sql.append(" and seq < ?");
      args.add(parseCursor(cursor));
    }
    sql.append(" order by seq desc limit ?");
    args.add(limit + 1);
    List<Row> rows = jdbc.sql(sql.toString()).params(args).query(this::row).list();
    Optional<String> next = Optional.empty();
    if (rows.size() > limit) {
      rows = rows.subList(0, limit);
      next = Optional.of(Long.toString(rows.get(limit - 1).seq));
    }
    return new Page(rows.stream().map(Row::alert).toList(), next);
  }

  private static long parseCursor(String cursor) {
    try {
      long seq = Long.parseLong(cursor);
      if (seq > 0) {
        return seq;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new IllegalArgumentException("the cursor is not one this API handed out");
  }

  @Override
  public Optional<Alert> find(UUID alertId) {
    return jdbc.sql("select " + COLUMNS + " from alert where id = ?")
        .param(alertId)
        .query(this::row)
        .optional()
        .map(Row::alert);
  }

  @Override
  public Alert acknowledge(UUID alertId, UUID byAccount, String note) {
    if (byAccount == null) {
      throw new IllegalArgumentException("an acknowledgement names the account that makes it");
    }
    if (note == null || note.isBlank()) {
      throw new IllegalArgumentException("note must say what was done about the alert");
    }
    if (note.length() > MAX_NOTE) {
      throw new IllegalArgumentException("note must be at most " + MAX_NOTE + " characters");
    }
    return tx.execute(
        s -> {
          Row current =
              jdbc.sql("select " + COLUMNS + " from alert where id = ? for update")
                  .param(alertId)
                  .query(this::row)
                  .optional()
                  .orElseThrow(() -> new AlertNotFoundException(alertId));
          if (current.alert.status() != Alert.Status.OPEN) {
            throw new AlertAlreadyAcknowledgedException(alertId);
          }
          byte[] sealed =
              keys.fieldCipher()
                  .encrypt(note.strip().getBytes(StandardCharsets.UTF_8), place(alertId));
          jdbc.sql(
                  "update alert set status = 'ACKNOWLEDGED', acknowledged_by = ?,"
                      + " acknowledged_at = ?, note = ? where id = ?")
              .params(byAccount, ts(clock.instant()), sealed, alertId)
              .update();
          return find(alertId).orElseThrow();
        });
  }

  @Override
  public String description() {
    return "alert acknowledgement notes";
  }

  @Override
  public java.util.Map<Integer, Long> valuesPerKey() {
    java.util.Map<Integer, Long> counts = new java.util.HashMap<>();
    jdbc.sql("select note from alert where note is not null")
        .query((rs, n) -> counts.merge(FieldCipher.keyIdOf(rs.getBytes(1)), 1L, Long::sum))
        .list();
    return counts;
  }

  @Override
  public long remaining() {
    int primary = keys.fieldCipher().primaryKeyId();
    return valuesPerKey().entrySet().stream()
        .filter(e -> e.getKey() != primary)
        .mapToLong(java.util.Map.Entry::getValue)
        .sum();
  }

  @Override
  public long reencrypt() {
    int primary = keys.fieldCipher().primaryKeyId();
    List<UUID> ids = new java.util.ArrayList<>();
    jdbc.sql("select id, note from alert where note is not null")
        .query(
            (rs, n) -> {
              if (FieldCipher.keyIdOf(rs.getBytes("note")) != primary) {
                ids.add(rs.getObject("id", UUID.class));
              }
              return null;
            })
        .list();
    for (UUID id : ids) {
      tx.executeWithoutResult(
          s -> {
            byte[] sealed =
                jdbc.sql("select note from alert where id = ? for update")
                    .param(id)
                    .query(byte[].class)
                    .single();
            FieldCipher cipher = keys.fieldCipher();
            byte[] again = cipher.encrypt(cipher.decrypt(sealed, place(id)), place(id));
            jdbc.sql("update alert set note = ? where id = ?").params(again, id).update();
          });
    }
    return ids.size();
  }

  private static FieldContext place(UUID alertId) {
    return FieldContext.of("Alert", alertId.toString(), 1, "note");
  }

  private record Row(long seq, Alert alert) {}

  private Row row(ResultSet rs, int n) throws SQLException {
    UUID id = rs.getObject("id", UUID.class);
    Alert.Builder b =
        Alert.builder(
                id,
                instant(rs, "created_at"),
                Alert.Severity.valueOf(rs.getString("severity")),
                Alert.Kind.valueOf(rs.getString("kind")))
            .who(
                rs.getObject("account_id", UUID.class),
                rs.getString("actor"),
                roles(rs.getString("roles")),
                rs.getString("source_ip"))
            .what(
                rs.getObject("patient_id", UUID.class),
                rs.getString("resource_type"),
                rs.getString("action") == null
                    ? null
                    : AccessAction.valueOf(rs.getString("action")));
    if (rs.getString("rule") != null) {
      b.rule(Denial.Rule.valueOf(rs.getString("rule")));
    }
    UUID grant = rs.getObject("grant_id", UUID.class);
    if (grant != null) {
      b.grant(grant, instant(rs, "grant_expires_at"), rs.getBoolean("overrides_consent_denial"));
    }
    if (Alert.Status.valueOf(rs.getString("status")) == Alert.Status.ACKNOWLEDGED) {
      String note =
          new String(
              keys.fieldCipher().decrypt(rs.getBytes("note"), place(id)), StandardCharsets.UTF_8);
      b.acknowledged(
          rs.getObject("acknowledged_by", UUID.class), instant(rs, "acknowledged_at"), note);
    }
    return new Row(rs.getLong("seq"), b.build());
  }

  private static Set<String> roles(String stored) {
    return stored.isEmpty() ? Set.of() : Set.copyOf(Arrays.asList(stored.split(",")));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  private static OffsetDateTime ts(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
