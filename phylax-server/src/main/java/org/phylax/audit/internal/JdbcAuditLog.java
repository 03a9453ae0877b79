package org.phylax.audit.internal;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
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
import org.springframework.stereotype.Component;

/**
 * Appends audit events with group commit: callers queue their event and wait; one writer thread per
 * node takes everything queued (up to a batch), chains it to the last stored event, inserts it with
 * one statement that commits it (see {@link #append}: several nodes share one chain) and then
 * releases the callers. A caller whose event is not committed within the timeout gets {@link
 * AuditUnavailableException}.
 */
@Component
class JdbcAuditLog implements AuditLog, SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(JdbcAuditLog.class);

  /** Advisory lock key that serializes appends across nodes ("phylaxA" in ASCII). */
  static final long CHAIN_LOCK = 0x7068796c617841L;

  private static final String UNIQUE_VIOLATION = "23505";

  /** How long the writer waits for callers about to queue before it writes a batch. */
  private static final long GATHER_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

  // Row i of the batch is element i of every array. The WHERE clause lets the rows in only onto
  // the tail they were chained to: the last stored event has the sequence number and hash given,
  // or the log is empty and the sequence number given is 0.
  private static final String INSERT =
      """
      insert into audit_event (seq, occurred_at, actor_user, actor_role, client_id, source_ip,
          user_agent, request_id, action, entity_type, entity_id, entity_version, patient_id,
          purpose_of_use, outcome, outcome_reason, justification, prev_hash, hash)
      select * from unnest(?::int8[], ?::text[]::timestamptz[], ?::text[], ?::text[], ?::text[],
          ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int8[],
          ?::text[]::uuid[], ?::text[], ?::text[], ?::text[], ?::bytea[], ?::bytea[], ?::bytea[])
      where coalesce(
          (select seq = ? and hash = ? from audit_event order by seq desc limit 1), ? = 0)
      """;

  private final DataSource dataSource;
  private final DataKeys keys;
  private final int maxBatch;
  private final long timeoutMillis;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>(100_000);
  // Callers inside record(): queued, in the batch being written, or about to queue.
  private final AtomicInteger callers = new AtomicInteger();
  private volatile boolean running;
  private Thread writer;
  // The last event this node committed, to chain the next batch onto without reading it back;
  // null when unknown. Only the writer thread uses it.
  private Tail tail;

  JdbcAuditLog(
      DataSource dataSource,
      DataKeys keys,
      @Value("${phylax.audit.max-batch:512}") int maxBatch,
      @Value("${phylax.audit.timeout-ms:10000}") long timeoutMillis) {
    this.dataSource = dataSource;
    this.keys = keys;
    this.maxBatch = maxBatch;
    this.timeoutMillis = timeoutMillis;
  }

  private record Pending(AuditEvent event, CompletableFuture<Long> done) {}

  /** A stored event to chain onto: sequence 0 (and no hash) for the empty log. */
  private record Tail(long seq, byte[] hash) {}

  @Override
  public long record(AuditEvent event) {
    if (!running) {
      throw new AuditUnavailableException("the audit log is not running", null);
    }
    Pending pending = new Pending(event, new CompletableFuture<>());
    callers.incrementAndGet();
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
    } finally {
      callers.decrementAndGet();
    }
  }

  @Override
  public void recordAll(List<AuditEvent> events) {
    if (!running) {
      throw new AuditUnavailableException("the audit log is not running", null);
    }
    List<Pending> all = new ArrayList<>(events.size());
    // Counted as callers from the start, so that the writer gathers them into full batches.
    callers.addAndGet(events.size());
    try {
      for (AuditEvent event : events) {
        Pending pending = new Pending(event, new CompletableFuture<>());
        if (!queue.offer(pending, timeoutMillis, TimeUnit.MILLISECONDS)) {
          throw new AuditUnavailableException("the audit log is overloaded", null);
        }
        all.add(pending);
      }
      for (Pending pending : all) {
        pending.done.get(timeoutMillis, TimeUnit.MILLISECONDS);
      }
    } catch (ExecutionException e) {
      throw new AuditUnavailableException("the audit events were not recorded", e.getCause());
    } catch (TimeoutException e) {
      throw new AuditUnavailableException("the audit events were not recorded in time", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AuditUnavailableException("interrupted while recording audit events", e);
    } finally {
      callers.addAndGet(-events.size());
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
        gather(batch);
        try {
          long last = append(batch);
          long seq = last - batch.size();
          for (Pending p : batch) {
            p.done.complete(++seq);
          }
        } catch (SQLException | RuntimeException e) {
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

  /**
   * Waits a little for callers that are about to queue: those just released from the last batch
   * come back with their next event within microseconds, and a commit costs far more than that
   * (about 0.5 ms of latency and 0.3 ms of PostgreSQL's CPU on the 2-core development machine), so
   * one commit for all of them beats one for the first and another for the rest.
   */
  private void gather(List<Pending> batch) throws InterruptedException {
    long deadline = System.nanoTime() + GATHER_NANOS;
    while (batch.size() < maxBatch && batch.size() < callers.get()) {
      long left = deadline - System.nanoTime();
      Pending next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
      if (next == null) {
        return;
      }
      batch.add(next);
      queue.drainTo(batch, maxBatch - batch.size());
    }
  }

  /**
   * Chains the batch onto the last stored event and inserts it; returns the last sequence number.
   *
   * <p>Usually in one round trip: the batch is chained onto the last event this node committed and
   * inserted by one autocommitted statement, which inserts nothing unless that event is still the
   * last one stored. When it is not (another node appended, or the tail was changed under us), or
   * when another node is inserting the same sequence numbers right now (the primary key refuses one
   * of the two), the batch is chained again onto the stored tail, read under the advisory lock that
   * serializes such appends across nodes.
   */
  private long append(List<Pending> batch) throws SQLException {
    Tail chainedOn = tail;
    tail = null; // unknown until this append is known to have committed
    try (Connection c = dataSource.getConnection()) {
      if (chainedOn != null) {
        List<CanonicalEvent.StoredEvent> rows = chain(batch, chainedOn);
        try {
          if (insert(c, rows, chainedOn) == rows.size()) {
            return committed(rows);
          }
        } catch (SQLException e) {
          if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
            throw e;
          }
        }
      }
      c.setAutoCommit(false);
      try {
        try (PreparedStatement lock = c.prepareStatement("select pg_advisory_xact_lock(?)")) {
          lock.setLong(1, CHAIN_LOCK);
          lock.execute();
        }
        Tail stored = readTail(c);
        List<CanonicalEvent.StoredEvent> rows = chain(batch, stored);
        if (insert(c, rows, stored) != rows.size()) {
          throw new IllegalStateException("the audit tail changed under the chain lock");
        }
        c.commit();
        return committed(rows);
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  /** The last stored event; sequence 0 and the genesis hash when the log is empty. */
  private static Tail readTail(Connection c) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement("select seq, hash from audit_event order by seq desc limit 1");
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? new Tail(rs.getLong(1), rs.getBytes(2)) : new Tail(0, null);
    }
  }

  private long committed(List<CanonicalEvent.StoredEvent> rows) {
    CanonicalEvent.StoredEvent last = rows.get(rows.size() - 1);
    tail = new Tail(last.seq, last.hash);
    return last.seq;
  }

  private List<CanonicalEvent.StoredEvent> chain(List<Pending> batch, Tail onto) {
    List<CanonicalEvent.StoredEvent> rows = new ArrayList<>(batch.size());
    long seq = onto.seq();
    byte[] prev = onto.seq() == 0 ? AuditChain.genesis() : onto.hash();
    for (Pending p : batch) {
      CanonicalEvent.StoredEvent row = toRow(p.event, ++seq);
      row.prevHash = prev;
      row.hash = AuditChain.link(prev, CanonicalEvent.encode(row));
      prev = row.hash;
      rows.add(row);
    }
    return rows;
  }

  /**
   * One statement for the whole batch, the columns as arrays; it inserts the rows only when the
   * last stored event is {@code onto} (or the log is empty and {@code onto} is sequence 0), and
   * returns how many it inserted.
   */
  private static int insert(Connection c, List<CanonicalEvent.StoredEvent> rows, Tail onto)
      throws SQLException {
    int n = rows.size();
    Long[] seq = new Long[n];
    String[] occurredAt = new String[n];
    String[][] text = new String[12][n];
    Long[] entityVersion = new Long[n];
    String[] patientId = new String[n];
    byte[][] justification = new byte[n][];
    byte[][] prevHash = new byte[n][];
    byte[][] hash = new byte[n][];
    for (int i = 0; i < n; i++) {
      CanonicalEvent.StoredEvent r = rows.get(i);
      seq[i] = r.seq;
      occurredAt[i] = CanonicalEvent.TIME.format(r.occurredAt);
      text[0][i] = r.actorUser;
      text[1][i] = r.actorRole;
      text[2][i] = r.clientId;
      text[3][i] = r.sourceIp;
      text[4][i] = r.userAgent;
      text[5][i] = r.requestId;
      text[6][i] = r.action;
      text[7][i] = r.entityType;
      text[8][i] = r.entityId;
      entityVersion[i] = r.entityVersion;
      patientId[i] = r.patientId == null ? null : r.patientId.toString();
      text[9][i] = r.purposeOfUse;
      text[10][i] = r.outcome;
      text[11][i] = r.outcomeReason;
      justification[i] = r.justification;
      prevHash[i] = r.prevHash;
      hash[i] = r.hash;
    }
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      int p = 0;
      ps.setArray(++p, c.createArrayOf("int8", seq));
      ps.setArray(++p, c.createArrayOf("text", occurredAt));
      for (int col = 0; col < 9; col++) {
        ps.setArray(++p, c.createArrayOf("text", text[col]));
      }
      ps.setArray(++p, c.createArrayOf("int8", entityVersion));
      ps.setArray(++p, c.createArrayOf("text", patientId));
      for (int col = 9; col < 12; col++) {
        ps.setArray(++p, c.createArrayOf("text", text[col]));
      }
      ps.setArray(++p, c.createArrayOf("bytea", justification));
      ps.setArray(++p, c.createArrayOf("bytea", prevHash));
      ps.setArray(++p, c.createArrayOf("bytea", hash));
      ps.setLong(++p, onto.seq());
      ps.setBytes(++p, onto.hash());
      ps.setLong(++p, onto.seq());
      return ps.executeUpdate();
    }
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
