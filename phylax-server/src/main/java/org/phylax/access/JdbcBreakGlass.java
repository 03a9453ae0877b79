package org.phylax.access;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.phylax.audit.AuditAction;
import org.phylax.audit.AuditEvent;
import org.phylax.audit.AuditLog;
import org.phylax.crypto.FieldCipher;
import org.phylax.crypto.FieldContext;
import org.phylax.identity.ClientInfo;
import org.phylax.identity.Role;
import org.phylax.keys.DataKeys;
import org.phylax.keys.SealedValues;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Break-glass grants in {@code access_grant}; reasons and review notes encrypted with the keyring's
 * field cipher. Opening a grant is audited (the reason as the event's justification) inside the
 * transaction that stores it, so a grant the audit log does not know of is never committed.
 */
@Component
class JdbcBreakGlass implements BreakGlass, SealedValues {

  private static final String COLUMNS =
      "id, account_id, patient_id, reason, created_at, expires_at, overrides_consent, verdict,"
          + " note, reviewed_by, reviewed_at";

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final DataKeys keys;
  private final AuditLog audit;
  private final RelationshipSource relationships;
  private final ApplicationEventPublisher events;
  private final Duration duration;
  private final Clock clock;

  JdbcBreakGlass(
      JdbcClient jdbc,
      TransactionTemplate tx,
      DataKeys keys,
      AuditLog audit,
      RelationshipSource relationships,
      ApplicationEventPublisher events,
      @Value("${phylax.access.break-glass-duration:4h}") Duration duration,
      ObjectProvider<Clock> clock) {
    if (duration.isNegative()
        || duration.isZero()
        || duration.compareTo(Duration.ofHours(24)) > 0) {
      throw new IllegalArgumentException(
          "phylax.access.break-glass-duration must be positive and at most 24h");
    }
    this.jdbc = jdbc;
    this.tx = tx;
    this.keys = keys;
    this.audit = audit;
    this.relationships = relationships;
    this.events = events;
    this.duration = duration;
    this.clock = clock.getIfAvailable(Clock::systemUTC);
  }

  @Override
  public Grant open(Subject subject, UUID patientId, String reason, ClientInfo client) {
    String text = reason == null ? "" : reason.strip();
    if (text.length() < MIN_REASON_LENGTH) {
      throw new IllegalArgumentException(
          "reason: a break-glass reason is at least " + MIN_REASON_LENGTH + " characters");
    }
    Instant now = now();
    Denial refusal = null;
    if (!subject.isActive()) {
      refusal = new Denial(Denial.Rule.ACCOUNT_DISABLED, "the account is disabled or locked");
    } else if (subject.isService() || !RoleTable.mayBreakGlass(subject.roles())) {
      refusal =
          new Denial(
              Denial.Rule.ROLE_NOT_PERMITTED,
              "the roles " + subject.roleKeys() + " may not use break-glass");
    }
    if (refusal != null) {
      audit.record(
          event(subject, client, AuditEvent.Outcome.DENY, now)
              .patient(patientId)
              .reason(refusal.rule().name())
              .build());
      events.publishEvent(
          new AccessDenied(
              now,
              subject.accountId().orElse(null),
              subject.actor(),
              subject.roles().stream().map(Role::key).collect(Collectors.toSet()),
              patientId,
              "Patient",
              AccessAction.READ,
              refusal.rule(),
              client.ip()));
      throw new AccessDeniedException(refusal);
    }
    if (!relationships.patientExists(patientId)) {
      throw new IllegalArgumentException("patient: there is no such patient");
    }
    UUID account = subject.accountId().orElseThrow();
    boolean overrides =
        subject
            .practitionerId()
            .map(
                p ->
                    relationships
                        .linksOf(patientId, relationships.identitiesOf(p, now), now)
                        .stream()
                        .anyMatch(l -> l.kind() == RelationshipSource.Kind.CONSENT_DENY))
            .orElse(false);
    UUID id = UUID.randomUUID();
    Instant expires = now.plus(duration);
    Grant grant =
        tx.execute(
            status -> {
              byte[] sealed = seal(text, id, "reason");
              jdbc.sql(
                      "insert into access_grant (id, account_id, patient_id, reason, key_id,"
                          + " created_at, expires_at, overrides_consent)"
                          + " values (?, ?, ?, ?, ?, ?, ?, ?)")
                  .params(
                      id,
                      account,
                      patientId,
                      sealed,
                      keyIdOf(sealed),
                      ts(now),
                      ts(expires),
                      overrides)
                  .update();
              audit.record(
                  event(subject, client, AuditEvent.Outcome.PERMIT, now)
                      .patient(patientId)
                      .entity("Patient", patientId.toString(), null)
                      .reason("BREAK_GLASS" + (overrides ? ":CONSENT_DENIAL_OVERRIDDEN" : ""))
                      .justification(text)
                      .build());
              return new Grant(
                  id, account, patientId, text, now, expires, overrides, null, null, null, null);
            });
    events.publishEvent(new BreakGlassOpened(now, id, account, patientId, expires, overrides));
    return grant;
  }

  @Override
  public Optional<Grant> active(UUID accountId, UUID patientId, Instant at) {
    return jdbc.sql(
            "select "
                + COLUMNS
                + " from access_grant where account_id = ? and patient_id = ?"
                + " and created_at <= ? and expires_at > ? order by expires_at desc limit 1")
        .params(accountId, patientId, ts(at), ts(at))
        .query(this::grant)
        .optional();
  }

  @Override
  public List<Grant> inForce(UUID accountId, Instant at) {
    return jdbc.sql(
            "select "
                + COLUMNS
                + " from access_grant where account_id = ? and created_at <= ? and expires_at > ?")
        .params(accountId, ts(at), ts(at))
        .query(this::grant)
        .list();
  }

  @Override
  public List<Grant> reviews(boolean pendingOnly, int limit, Reader reader) {
    if (limit < 1 || limit > 500) {
      throw new IllegalArgumentException("limit: between 1 and 500");
    }
    requireComplianceOfficer(reader.subject(), reader.client(), "read the break-glass reviews");
    audit.record(
        AuditEvent.builder(AuditAction.AUDIT_READ, AuditEvent.Outcome.SUCCESS)
            .at(now())
            .actor(
                reader.subject().actor(),
                reader.subject().roleKeys(),
                reader.subject().clientId().orElse(null))
            .source(reader.client().ip(), reader.client().userAgent(), reader.client().requestId())
            .entity("access_grant", null, null)
            .reason(pendingOnly ? "break-glass reviews: pending" : "break-glass reviews: all")
            .build());
    return jdbc.sql(
            "select "
                + COLUMNS
                + " from access_grant"
                + (pendingOnly ? " where verdict is null" : "")
                + " order by created_at desc, id limit ?")
        .param(limit)
        .query(this::grant)
        .list();
  }

  @Override
  public Grant review(
      UUID grantId, Verdict verdict, String note, Subject reviewer, ClientInfo client) {
    if (verdict == null) {
      throw new IllegalArgumentException("verdict: appropriate or inappropriate");
    }
    String text = note == null ? "" : note.strip();
    if (text.isEmpty()) {
      throw new IllegalArgumentException("note: a review says why");
    }
    requireComplianceOfficer(reviewer, client, "review break-glass grants");
    Instant now = now();
    return tx.execute(
        status -> {
          Grant current =
              jdbc.sql("select " + COLUMNS + " from access_grant where id = ? for update")
                  .param(grantId)
                  .query(this::grant)
                  .optional()
                  .orElseThrow(() -> new IllegalArgumentException("grant: there is no such grant"));
          if (current.verdict().isPresent()) {
            throw new IllegalStateException("the grant was reviewed already");
          }
          byte[] sealed = seal(text, grantId, "note");
          jdbc.sql(
                  "update access_grant set verdict = ?, note = ?, note_key_id = ?,"
                      + " reviewed_by = ?, reviewed_at = ? where id = ?")
              .params(
                  verdict.name().toLowerCase(Locale.ROOT),
                  sealed,
                  keyIdOf(sealed),
                  reviewer.accountId().orElseThrow(),
                  ts(now),
                  grantId)
              .update();
          audit.record(
              event(reviewer, client, AuditEvent.Outcome.SUCCESS, now)
                  .patient(current.patientId())
                  .entity("access_grant", grantId.toString(), null)
                  .reason("REVIEW:" + verdict.name())
                  .justification(text)
                  .build());
          return new Grant(
              current.id(),
              current.accountId(),
              current.patientId(),
              current.reason(),
              current.createdAt(),
              current.expiresAt(),
              current.overridesConsentDenial(),
              verdict,
              text,
              reviewer.accountId().get(),
              now);
        });
  }

  @Override
  public Map<Integer, Long> valuesPerKey() {
    Map<Integer, Long> counts = new HashMap<>();
    jdbc.sql(
            "select k, count(*) as n from (select key_id as k from access_grant union all"
                + " select note_key_id from access_grant where note_key_id is not null) g"
                + " group by k")
        .query((rs, n) -> counts.put((int) rs.getLong("k"), rs.getLong("n")))
        .list();
    return counts;
  }

  @Override
  public String description() {
    return "break-glass reasons and review notes";
  }

  @Override
  public long remaining() {
    long primary = Integer.toUnsignedLong(keys.fieldCipher().primaryKeyId());
    return jdbc.sql(
            "select count(*) + count(*) filter (where note_key_id is not null and note_key_id <> ?)"
                + " - count(*) filter (where key_id = ?) from access_grant")
        .params(primary, primary)
        .query(Long.class)
        .single();
  }

  @Override
  public long reencrypt() {
    long primary = Integer.toUnsignedLong(keys.fieldCipher().primaryKeyId());
    List<UUID> ids =
        jdbc.sql(
                "select id from access_grant where key_id <> ?"
                    + " or (note_key_id is not null and note_key_id <> ?)")
            .params(primary, primary)
            .query(UUID.class)
            .list();
    long done = 0;
    for (UUID id : ids) {
      Long n =
          tx.execute(
              status -> {
                Grant g =
                    jdbc.sql("select " + COLUMNS + " from access_grant where id = ? for update")
                        .param(id)
                        .query(this::grant)
                        .single();
                byte[] reason = seal(g.reason(), id, "reason");
                byte[] note = g.note().map(text -> seal(text, id, "note")).orElse(null);
                jdbc.sql(
                        "update access_grant set reason = ?, key_id = ?, note = ?, note_key_id = ?"
                            + " where id = ?")
                    .params(reason, keyIdOf(reason), note, note == null ? null : keyIdOf(note), id)
                    .update();
                return note == null ? 1L : 2L;
              });
      done += n == null ? 0 : n;
    }
    return done;
  }

  private void requireComplianceOfficer(Subject subject, ClientInfo client, String what) {
    if (subject.isActive() && subject.has(Role.COMPLIANCE_OFFICER)) {
      return;
    }
    Denial denial =
        subject.isActive()
            ? new Denial(Denial.Rule.ROLE_NOT_PERMITTED, "only a compliance officer may " + what)
            : new Denial(Denial.Rule.ACCOUNT_DISABLED, "the account is disabled or locked");
    audit.record(
        AuditEvent.builder(AuditAction.AUDIT_READ, AuditEvent.Outcome.DENY)
            .at(now())
            .actor(subject.actor(), subject.roleKeys(), subject.clientId().orElse(null))
            .source(client.ip(), client.userAgent(), client.requestId())
            .entity("access_grant", null, null)
            .reason(denial.rule().name())
            .build());
    throw new AccessDeniedException(denial);
  }

  private AuditEvent.Builder event(
      Subject subject, ClientInfo client, AuditEvent.Outcome outcome, Instant at) {
    return AuditEvent.builder(AuditAction.BREAK_GLASS, outcome)
        .at(at)
        .actor(
            subject.accountId().map(UUID::toString).orElse(subject.actor()),
            subject.roleKeys(),
            subject.clientId().orElse(null))
        .source(client.ip(), client.userAgent(), client.requestId())
        .purpose("ETREAT");
  }

  private byte[] seal(String text, UUID id, String field) {
    return keys.fieldCipher().encrypt(text.getBytes(StandardCharsets.UTF_8), context(id, field));
  }

  private String open(byte[] sealed, UUID id, String field) {
    return sealed == null
        ? null
        : new String(
            keys.fieldCipher().decrypt(sealed, context(id, field)), StandardCharsets.UTF_8);
  }

  private static FieldContext context(UUID id, String field) {
    return FieldContext.of("access_grant", id.toString(), 1, field);
  }

  private static long keyIdOf(byte[] ciphertext) {
    return Integer.toUnsignedLong(FieldCipher.keyIdOf(ciphertext));
  }

  private Grant grant(ResultSet rs, int n) throws SQLException {
    UUID id = rs.getObject("id", UUID.class);
    String verdict = rs.getString("verdict");
    return new Grant(
        id,
        rs.getObject("account_id", UUID.class),
        rs.getObject("patient_id", UUID.class),
        open(rs.getBytes("reason"), id, "reason"),
        rs.getObject("created_at", OffsetDateTime.class).toInstant(),
        rs.getObject("expires_at", OffsetDateTime.class).toInstant(),
        rs.getBoolean("overrides_consent"),
        verdict == null ? null : Verdict.valueOf(verdict.toUpperCase(Locale.ROOT)),
        open(rs.getBytes("note"), id, "note"),
        rs.getObject("reviewed_by", UUID.class),
        Optional.ofNullable(rs.getObject("reviewed_at", OffsetDateTime.class))
            .map(OffsetDateTime::toInstant)
            .orElse(null));
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static OffsetDateTime ts(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
