package org.phylax.audit.internal;

import java.security.MessageDigest;
import java.util.UUID;
import org.phylax.audit.AuditVerifier;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/** Streams the log in sequence order and recomputes the chain; stops at the first break. */
@Component
class JdbcAuditVerifier implements AuditVerifier {

  private final JdbcTemplate jdbc;
  private final TransactionTemplate tx;

  JdbcAuditVerifier(JdbcTemplate jdbc, TransactionTemplate tx) {
    this.jdbc = new JdbcTemplate(jdbc.getDataSource());
    this.jdbc.setFetchSize(10_000); // PostgreSQL streams with a fetch size inside a transaction
    this.tx = tx;
  }

  @Override
  public Verification verify() {
    return tx.execute(status -> walk());
  }

  private Verification walk() {
    var state =
        new Object() {
          long expected = 1;
          byte[] prev = JdbcAuditLog.GENESIS;
          Verification broken;
        };
    RowCallbackHandler check =
        rs -> {
          if (state.broken != null) {
            return;
          }
          CanonicalEvent.StoredEvent e = new CanonicalEvent.StoredEvent();
          e.seq = rs.getLong("seq");
          e.occurredAt = rs.getTimestamp("occurred_at").toInstant();
          e.actorUser = rs.getString("actor_user");
          e.actorRole = rs.getString("actor_role");
          e.clientId = rs.getString("client_id");
          e.sourceIp = rs.getString("source_ip");
          e.userAgent = rs.getString("user_agent");
          e.requestId = rs.getString("request_id");
          e.action = rs.getString("action");
          e.entityType = rs.getString("entity_type");
          e.entityId = rs.getString("entity_id");
          long version = rs.getLong("entity_version");
          e.entityVersion = rs.wasNull() ? null : version;
          e.patientId = rs.getObject("patient_id", UUID.class);
          e.purposeOfUse = rs.getString("purpose_of_use");
          e.outcome = rs.getString("outcome");
          e.outcomeReason = rs.getString("outcome_reason");
          e.justification = rs.getBytes("justification");
          e.prevHash = rs.getBytes("prev_hash");
          e.hash = rs.getBytes("hash");
          if (e.seq != state.expected) {
            state.broken =
                Verification.broken(
                    state.expected - 1,
                    state.expected,
                    e.seq > state.expected
                        ? "event " + state.expected + " is missing (next stored is " + e.seq + ")"
                        : "sequence number out of order");
            return;
          }
          if (!MessageDigest.isEqual(e.prevHash, state.prev)) {
            state.broken =
                Verification.broken(
                    e.seq - 1, e.seq, "its previous-hash does not match the event before it");
            return;
          }
          byte[] recomputed = JdbcAuditLog.link(state.prev, CanonicalEvent.encode(e));
          if (!MessageDigest.isEqual(recomputed, e.hash)) {
            state.broken =
                Verification.broken(
                    e.seq - 1, e.seq, "its content does not match its hash (edited or forged)");
            return;
          }
          state.prev = e.hash;
          state.expected++;
        };
    jdbc.query("select * from audit_event order by seq", check);
    return state.broken != null ? state.broken : Verification.intact(state.expected - 1);
  }
}
