package org.phylax.audit.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.phylax.audit.AuditVerifier;
import org.phylax.crypto.AuditChain;
import org.phylax.crypto.Checkpoint;
import org.phylax.crypto.IntegrityException;
import org.phylax.crypto.MerkleTree;
import org.phylax.keys.DataKeys;
import org.phylax.platform.PhylaxSettings;
import org.postgresql.PGStatement;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Streams the log in sequence order, recomputes the chain and the Merkle tree, and checks each
 * signed checkpoint (stored and witnessed) when the tree reaches its size; stops at the first
 * break.
 *
 * <p>Each event's hash depends only on its own content and its stored previous hash, so the
 * recomputing (most of the work) runs in parallel, a chunk of events at a time, while this thread
 * reads the next rows; the checks that follow the chain (previous hash equals the hash before,
 * Merkle tree, checkpoints) then run in sequence order, so the first break reported is the same.
 */
@Component
class JdbcAuditVerifier implements AuditVerifier {

  /** The table's columns in its own order, so that {@link #read} also reads {@code select *}. */
  static final String EVENT_COLUMNS =
      "seq, occurred_at, actor_user, actor_role, client_id, source_ip, user_agent, request_id,"
          + " action, entity_type, entity_id, entity_version, patient_id, purpose_of_use,"
          + " outcome, outcome_reason, justification, prev_hash, hash";

  private static final int FETCH_SIZE = 10_000;
  private static final int CHUNK = 2_000;

  private final JdbcTemplate jdbc;
  private final DataKeys keys;
  private final Optional<Path> witnessDir;

  JdbcAuditVerifier(JdbcTemplate jdbc, DataKeys keys, PhylaxSettings settings) {
    this.jdbc = jdbc;
    this.keys = keys;
    this.witnessDir = settings.auditWitnessDir();
  }

  /** A checkpoint to meet on the way: where it came from, and its note. */
  private record Expected(long size, String source, String note) {}

  /** Events in sequence order with each one's hash recomputed from its content. */
  private record Hashed(List<CanonicalEvent.StoredEvent> events, byte[][] recomputed) {}

  @Override
  public Verification verify() {
    int threads = Runtime.getRuntime().availableProcessors();
    ExecutorService hashing =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "audit-verify");
              t.setDaemon(true);
              return t;
            });
    try {
      // PostgreSQL streams rows with a fetch size only inside a transaction; it only reads.
      return jdbc.execute(
          (Connection c) -> {
            c.setAutoCommit(false);
            try {
              return walk(c, hashing, 2 * threads + 1);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IllegalStateException("interrupted while verifying the audit log", e);
            } finally {
              c.rollback();
              c.setAutoCommit(true);
            }
          });
    } finally {
      hashing.shutdownNow();
    }
  }

  private Verification walk(Connection c, ExecutorService hashing, int maxInFlight)
      throws SQLException, InterruptedException {
    List<Expected> checkpoints = new ArrayList<>();
    try (PreparedStatement ps =
            c.prepareStatement(
                "select tree_size, signed_note from audit_checkpoint order by tree_size");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        checkpoints.add(
            new Expected(rs.getLong(1), "checkpoint " + rs.getLong(1), rs.getString(2)));
      }
    }
    checkpoints.addAll(witnessed());
    checkpoints.sort(Comparator.comparingLong(Expected::size));

    Chain chain = new Chain(checkpoints);
    Deque<Future<Hashed>> inFlight = new ArrayDeque<>();
    try (PreparedStatement ps =
        c.prepareStatement("select " + EVENT_COLUMNS + " from audit_event order by seq")) {
      // Binary transfer from the first execution: hashes, times and UUIDs arrive as they are
      // stored instead of as text to parse.
      ps.unwrap(PGStatement.class).setPrepareThreshold(-1);
      ps.setFetchSize(FETCH_SIZE);
      try (ResultSet rs = ps.executeQuery()) {
        List<CanonicalEvent.StoredEvent> chunk = new ArrayList<>(CHUNK);
        while (chain.broken == null && rs.next()) {
          chunk.add(read(rs));
          if (chunk.size() == CHUNK) {
            List<CanonicalEvent.StoredEvent> events = chunk;
            inFlight.add(hashing.submit(() -> hash(events)));
            chunk = new ArrayList<>(CHUNK);
            // Check what is hashed already; wait only when enough is in flight.
            while (chain.broken == null
                && !inFlight.isEmpty()
                && (inFlight.size() >= maxInFlight || inFlight.peek().isDone())) {
              chain.check(result(inFlight.poll()));
            }
          }
        }
        while (chain.broken == null && !inFlight.isEmpty()) {
          chain.check(result(inFlight.poll()));
        }
        if (chain.broken == null) {
          chain.check(hash(chunk));
        }
      }
    }
    return chain.outcome(keys.auditKeyId());
  }

  private static Hashed hash(List<CanonicalEvent.StoredEvent> events) {
    byte[][] recomputed = new byte[events.size()][];
    for (int i = 0; i < recomputed.length; i++) {
      CanonicalEvent.StoredEvent e = events.get(i);
      recomputed[i] = AuditChain.link(e.prevHash, CanonicalEvent.encode(e));
    }
    return new Hashed(events, recomputed);
  }

  private static Hashed result(Future<Hashed> hashed) throws InterruptedException {
    try {
      return hashed.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** The checks that follow the chain in sequence order, up to the first break. */
  private final class Chain {
    private final List<Expected> checkpoints;
    private long expected = 1;
    private byte[] prev = AuditChain.genesis();
    private final MerkleTree.Builder tree = new MerkleTree.Builder();
    private int next = 0;
    private long lastCheckpoint = 0;
    private Verification broken;

    Chain(List<Expected> checkpoints) {
      this.checkpoints = checkpoints;
    }

    void check(Hashed hashed) {
      for (int i = 0; i < hashed.events().size() && broken == null; i++) {
        check(hashed.events().get(i), hashed.recomputed()[i]);
      }
    }

    private void check(CanonicalEvent.StoredEvent e, byte[] recomputed) {
      if (e.seq != expected) {
        broken =
            Verification.broken(
                expected - 1,
                expected,
                e.seq > expected
                    ? "event " + expected + " is missing (next stored is " + e.seq + ")"
                    : "sequence number out of order");
        return;
      }
      if (!MessageDigest.isEqual(e.prevHash, prev)) {
        broken =
            Verification.broken(
                e.seq - 1, e.seq, "its previous-hash does not match the event before it");
        return;
      }
      if (!MessageDigest.isEqual(recomputed, e.hash)) {
        broken =
            Verification.broken(
                e.seq - 1, e.seq, "its content does not match its hash (edited or forged)");
        return;
      }
      prev = e.hash;
      tree.append(MerkleTree.leafHash(e.hash));
      while (next < checkpoints.size() && checkpoints.get(next).size() == tree.size()) {
        Expected cp = checkpoints.get(next++);
        String problem = JdbcAuditVerifier.this.check(cp, tree.root());
        if (problem != null) {
          broken = Verification.broken(e.seq - 1, cp.size(), problem);
          return;
        }
        lastCheckpoint = cp.size();
      }
      expected++;
    }

    Verification outcome(String keyId) {
      if (broken != null) {
        return broken;
      }
      long events = expected - 1;
      if (next < checkpoints.size()) {
        Expected beyond = checkpoints.get(next);
        return Verification.broken(
            events,
            events + 1,
            "events "
                + (events + 1)
                + " to "
                + beyond.size()
                + " are missing: "
                + beyond.source()
                + " was signed over them");
      }
      return Verification.intact(events, lastCheckpoint, keyId);
    }
  }

  /** Null when the checkpoint's signature holds and its root matches; else what is wrong. */
  private String check(Expected cp, byte[] root) {
    Checkpoint signed;
    try {
      signed = Checkpoint.parse(cp.note()).verify(keys.auditVerifier());
    } catch (IntegrityException e) {
      return cp.source() + ": its signature does not verify (the checkpoint was edited)";
    }
    if (signed.size() != cp.size()) {
      return cp.source() + ": its signed size is " + signed.size() + ", not its stored size";
    }
    if (!MessageDigest.isEqual(signed.rootHash(), root)) {
      return "events up to "
          + cp.size()
          + " do not match the Merkle root signed in "
          + cp.source()
          + " (rewritten)";
    }
    return null;
  }

  private List<Expected> witnessed() {
    if (witnessDir.isEmpty()) {
      return List.of();
    }
    List<Expected> notes = new ArrayList<>();
    try (Stream<Path> files = Files.list(witnessDir.get())) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        if (!name.matches("checkpoint-\\d{16}\\.txt")) {
          continue;
        }
        long size = Long.parseLong(name.substring(11, 27));
        notes.add(
            new Expected(
                size,
                "witnessed checkpoint " + size,
                Files.readString(file, StandardCharsets.UTF_8)));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the audit witness directory", e);
    }
    return notes;
  }

  /** One event from a row with the columns of {@link #EVENT_COLUMNS}, in that order. */
  static CanonicalEvent.StoredEvent read(ResultSet rs) throws SQLException {
    CanonicalEvent.StoredEvent e = new CanonicalEvent.StoredEvent();
    e.seq = rs.getLong(1);
    e.occurredAt = rs.getTimestamp(2).toInstant();
    e.actorUser = rs.getString(3);
    e.actorRole = rs.getString(4);
    e.clientId = rs.getString(5);
    e.sourceIp = rs.getString(6);
    e.userAgent = rs.getString(7);
    e.requestId = rs.getString(8);
    e.action = rs.getString(9);
    e.entityType = rs.getString(10);
    e.entityId = rs.getString(11);
    long version = rs.getLong(12);
    e.entityVersion = rs.wasNull() ? null : version;
    e.patientId = rs.getObject(13, UUID.class);
    e.purposeOfUse = rs.getString(14);
    e.outcome = rs.getString(15);
    e.outcomeReason = rs.getString(16);
    e.justification = rs.getBytes(17);
    e.prevHash = rs.getBytes(18);
    e.hash = rs.getBytes(19);
    return e;
  }
}
