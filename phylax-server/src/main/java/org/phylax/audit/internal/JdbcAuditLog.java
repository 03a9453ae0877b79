package org.phylax.audit.internal;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.phylax.audit.AuditEvent;
import org.phylax.audit.AuditLog;
import org.phylax.audit.AuditUnavailableException;
import org.phylax.crypto.AuditChain;
import org.phylax.crypto.FieldContext;
import org.phylax.keys.DataKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Appends audit events with group commit: callers queue their event and wait; one writer thread per
 * node takes everything queued (up to a batch), chains it to the last stored event under a
 * PostgreSQL advisory lock (so several nodes share one chain), inserts it in one transaction and
 * then releases the callers. A caller whose event is not committed within the timeout gets {@link
 * AuditUnavailableException}.
 */
@Component
class JdbcAuditLog implements AuditLog, SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(JdbcAuditLog.class);

  /** Advisory lock key that serializes appends across nodes ("phylaxA" in ASCII). */
  static final long CHAIN_LOCK = 0x7068796c617841L;

  private final JdbcTemplate jdbc;
  private final TransactionTemplate tx;
  private final DataKeys keys;
  private final int maxBatch;
  private final long timeoutMillis;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>(100_000);
  private volatile boolean running;
  private Thread writer;

  JdbcAuditLog(
      JdbcTemplate jdbc,
      TransactionTemplate tx,
      DataKeys keys,
      @Value("${phylax.audit.max-batch:512}") int maxBatch,
      @Value("${phylax.audit.timeout-ms:10000}") long timeoutMillis) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.keys = keys;
    this.maxBatch = maxBatch;
    this.timeoutMillis = timeoutMillis;
  }

  private record Pending(AuditEvent event, CompletableFuture<Long> done) {}

  @Override
  public long record(AuditEvent event) {
    if (!running) {
      throw new AuditUnavailableException("the audit log is not running", null);
    }
    Pending pending = new Pending(event, new CompletableFuture<>());
    try {
      if (!queue.offer(pending, timeoutMillis, TimeUnit.MILLISECONDS)) {
        throw new AuditUnavailableException("the audit log is overloaded", null);
      }
      return pending.done.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AuditUnavailableException("the audit event was not recorded", e.getCause());
    } catch (TimeoutException e) {
      throw new AuditUnavailableException("the audit event was not recorded in time", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AuditUnavailableException("interrupted while recording an audit event", e);
    }
  }

  private void writeLoop() {
    List<Pending> batch = new ArrayList<>(maxBatch);
    while (running || !queue.isEmpty()) {
      try {
        Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, maxBatch - 1);
        try {
          long last = tx.execute(status -> append(batch));
          long seq = last - batch.size();
          for (Pending p : batch) {
            p.done.complete(++seq);
          }
        } catch (RuntimeException e) {
          log.error(
              "Audit append of {} events failed ({}); callers are refused",
              batch.size(),
              e.getClass().getSimpleName());
          batch.forEach(p -> p.done.completeExceptionally(e));
        }
        batch.clear();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Chains and inserts the batch; returns the last sequence number. Runs in a transaction. */
  private long append(List<Pending> batch) {
    jdbc.queryForObject("select pg_advisory_xact_lock(?)", Object.class, CHAIN_LOCK);
    List<CanonicalEvent.StoredEvent> rows = new ArrayList<>(batch.size());
    long seq = 0;
    byte[] prev = AuditChain.genesis();
    List<Object[]> last =
        jdbc.query(
            "select seq, hash from audit_event order by seq desc limit 1",
            (rs, n) -> new Object[] {rs.getLong(1), rs.getBytes(2)});
    if (!last.isEmpty()) {
      seq = (Long) last.get(0)[0];
      prev = (byte[]) last.get(0)[1];
    }
    for (Pending p : batch) {
      CanonicalEvent.StoredEvent row = toRow(p.event, ++seq);
      row.prevHash = prev;
      row.hash = AuditChain.link(prev, CanonicalEvent.encode(row));
      prev = row.hash;
      rows.add(row);
    }
    jdbc.batchUpdate(
        """
        insert into audit_event (seq, occurred_at, actor_user, actor_role, client_id, source_ip,
            user_agent, request_id, action, entity_type, entity_id, entity_version, patient_id,
            purpose_of_use, outcome, outcome_reason, justification, prev_hash, hash)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        rows,
        rows.size(),
        JdbcAuditLog::bind);
    return seq;
  }

  private CanonicalEvent.StoredEvent toRow(AuditEvent e, long seq) {
    CanonicalEvent.StoredEvent row = new CanonicalEvent.StoredEvent();
    row.seq = seq;
    row.occurredAt = e.occurredAt();
    row.actorUser = e.actorUser();
    row.actorRole = e.actorRole();
    row.clientId = e.clientId();
    row.sourceIp = e.sourceIp();
    row.userAgent = e.userAgent();
    row.requestId = e.requestId();
    row.action = e.action().name();
    row.entityType = e.entityType();
    row.entityId = e.entityId();
    row.entityVersion = e.entityVersion();
    row.patientId = e.patientId();
    row.purposeOfUse = e.purposeOfUse();
    row.outcome = e.outcome().name();
    row.outcomeReason = e.outcomeReason();
    if (e.justification() != null) {
      row.justification =
          keys.fieldCipher()
              .encrypt(e.justification().getBytes(StandardCharsets.UTF_8), justificationPlace(seq));
    }
    return row;
  }

  static FieldContext justificationPlace(long seq) {
    return FieldContext.of("AuditEvent", Long.toString(seq), 1, "justification");
  }

  static void bind(PreparedStatement ps, CanonicalEvent.StoredEvent r) throws SQLException {
    ps.setLong(1, r.seq);
    ps.setTimestamp(2, Timestamp.from(r.occurredAt));
    ps.setString(3, r.actorUser);
    ps.setString(4, r.actorRole);
    ps.setString(5, r.clientId);
    ps.setString(6, r.sourceIp);
    ps.setString(7, r.userAgent);
    ps.setString(8, r.requestId);
    ps.setString(9, r.action);
    ps.setString(10, r.entityType);
    ps.setString(11, r.entityId);
    if (r.entityVersion == null) {
      ps.setNull(12, Types.BIGINT);
    } else {
      ps.setLong(12, r.entityVersion);
    }
    ps.setObject(13, r.patientId);
    ps.setString(14, r.purposeOfUse);
    ps.setString(15, r.outcome);
    ps.setString(16, r.outcomeReason);
    ps.setBytes(17, r.justification);
    ps.setBytes(18, r.prevHash);
    ps.setBytes(19, r.hash);
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    writer = new Thread(this::writeLoop, "audit-writer");
    writer.setDaemon(true);
    writer.start();
  }

  @Override
  public synchronized void stop() {
    running = false; // the writer drains what is queued, then ends
    if (writer != null) {
      try {
        writer.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Stops after the web server (which stops at a higher phase) so in-flight requests can log. */
  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE - 1024;
  }
}
