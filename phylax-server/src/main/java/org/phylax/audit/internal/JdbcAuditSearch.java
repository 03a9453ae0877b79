package org.phylax.audit.internal;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.phylax.audit.AuditAction;
import org.phylax.audit.AuditCursor;
import org.phylax.audit.AuditEvent;
import org.phylax.audit.AuditLog;
import org.phylax.audit.AuditQuery;
import org.phylax.audit.AuditSearch;
import org.phylax.keys.DataKeys;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Searches {@code audit_event} with keyset paging on (time, sequence number), newest first, after
 * recording the read itself. The indexes on (patient, time), (user, time) and (time) serve the
 * usual criteria.
 */
@Component
class JdbcAuditSearch implements AuditSearch {

  private final JdbcTemplate jdbc;
  private final AuditLog log;
  private final DataKeys keys;

  JdbcAuditSearch(JdbcTemplate jdbc, AuditLog log, DataKeys keys) {
    this.jdbc = jdbc;
    this.log = log;
    this.keys = keys;
  }

  @Override
  public Page search(AuditQuery query, Reader reader) {
    long readSeq = log.record(readEvent(query, reader));

    StringBuilder sql =
        new StringBuilder(
            "select " + JdbcAuditVerifier.EVENT_COLUMNS + " from audit_event where true");
    List<Object> args = new ArrayList<>();
    query.seq().ifPresent(q -> add(sql, args, " and seq = ?", q));
    query.patient().ifPresent(p -> add(sql, args, " and patient_id = ?", p));
    query.actorUser().ifPresent(u -> add(sql, args, " and actor_user = ?", u));
    query.from().ifPresent(t -> add(sql, args, " and occurred_at >= ?", Timestamp.from(t)));
    query.to().ifPresent(t -> add(sql, args, " and occurred_at < ?", Timestamp.from(t)));
    if (!query.actions().isEmpty()) {
      sql.append(" and action = any (?)");
      args.add(query.actions().stream().map(Enum::name).toArray(String[]::new));
    }
    query.outcome().ifPresent(o -> add(sql, args, " and outcome = ?", o.name()));
    if (query.after().isPresent()) {
      AuditCursor cursor = AuditCursor.parse(query.after().get());
      sql.append(" and (occurred_at, seq) < (?, ?)");
      args.add(Timestamp.from(cursor.occurredAt()));
      args.add(cursor.seq());
    }
    sql.append(" order by occurred_at desc, seq desc limit ?");
    args.add(query.pageSize() + 1);

    List<Entry> entries =
        jdbc.query(
            con -> {
              var ps = con.prepareStatement(sql.toString());
              for (int i = 0; i < args.size(); i++) {
                Object arg = args.get(i);
                if (arg instanceof String[] texts) {
                  ps.setArray(i + 1, con.createArrayOf("text", texts));
                } else {
                  ps.setObject(i + 1, arg);
                }
              }
              return ps;
            },
            (rs, n) -> toEntry(JdbcAuditVerifier.read(rs)));
    Optional<String> next = Optional.empty();
    if (entries.size() > query.pageSize()) {
      entries = entries.subList(0, query.pageSize());
      Entry last = entries.get(entries.size() - 1);
      next = Optional.of(new AuditCursor(last.event().occurredAt(), last.seq()).encode());
    }
    return new Page(List.copyOf(entries), next, readSeq);
  }

  private static void add(StringBuilder sql, List<Object> args, String clause, Object value) {
    sql.append(clause);
    args.add(value);
  }

  private static AuditEvent readEvent(AuditQuery query, Reader reader) {
    return AuditEvent.builder(AuditAction.AUDIT_READ, AuditEvent.Outcome.SUCCESS)
        .actor(reader.user(), reader.role(), reader.clientId())
        .source(reader.ip(), reader.userAgent(), reader.requestId())
        .entity("AuditEvent", null, null)
        .patient(query.patient().orElse(null))
        .purpose(reader.purposeOfUse())
        .reason(query.describe())
        .build();
  }

  private Entry toEntry(CanonicalEvent.StoredEvent row) {
    AuditEvent.Builder b =
        AuditEvent.builder(AuditAction.valueOf(row.action), AuditEvent.Outcome.valueOf(row.outcome))
            .at(row.occurredAt)
            .actor(row.actorUser, row.actorRole, row.clientId)
            .source(row.sourceIp, row.userAgent, row.requestId)
            .entity(row.entityType, row.entityId, row.entityVersion)
            .patient(row.patientId)
            .purpose(row.purposeOfUse)
            .reason(row.outcomeReason);
    if (row.justification != null) {
      byte[] clear =
          keys.fieldCipher().decrypt(row.justification, JdbcAuditLog.justificationPlace(row.seq));
      b.justification(new String(clear, StandardCharsets.UTF_8));
    }
    return new Entry(row.seq, b.build());
  }
}
