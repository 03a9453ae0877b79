package org.phylax.audit.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.phylax.audit.AuditCheckpoints;
import org.phylax.crypto.Checkpoint;
import org.phylax.crypto.MerkleTree;
import org.phylax.keys.DataKeys;
import org.phylax.platform.PhylaxSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.support.DataAccessUtils;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/** Makes, stores and witnesses signed checkpoints; see {@link AuditCheckpoints}. */
@Component
class JdbcAuditCheckpoints implements AuditCheckpoints {

  private static final Logger log = LoggerFactory.getLogger(JdbcAuditCheckpoints.class);

  private final JdbcTemplate jdbc;
  private final TransactionTemplate tx;
  private final DataKeys keys;
  private final Optional<Path> witnessDir;
  private final long every;
  private final Duration interval;
  private final Clock clock = Clock.systemUTC();
  // The Merkle tree as of the last checkpoint this node made, with the hash of the event it ends
  // at; null when there is none or it may not match the stored events. Guarded by this.
  private Frontier frontier;

  /** A Merkle tree over the first events, and the hash of the last of them. */
  private record Frontier(MerkleTree.Builder tree, byte[] lastHash) {}

  JdbcAuditCheckpoints(
      JdbcTemplate jdbc,
      TransactionTemplate tx,
      DataKeys keys,
      PhylaxSettings settings,
      @Value("${phylax.audit.checkpoint-every:1000}") long every,
      @Value("${phylax.audit.checkpoint-interval:60s}") Duration interval) {
    this.jdbc = new JdbcTemplate(jdbc.getDataSource());
    this.jdbc.setFetchSize(10_000);
    this.tx = tx;
    this.keys = keys;
    this.witnessDir = settings.auditWitnessDir();
    this.every = every;
    this.interval = interval;
  }

  static String origin(DataKeys keys) {
    return "phylax/" + keys.keyringId();
  }

  /** Checks every few seconds whether a checkpoint is due. */
  @Scheduled(fixedDelayString = "${phylax.audit.checkpoint-poll:5s}")
  void checkpointIfDue() {
    Long events = jdbc.queryForObject("select max(seq) from audit_event", Long.class);
    if (events == null) {
      return;
    }
    var last =
        jdbc.query(
            "select tree_size, created_at from audit_checkpoint order by tree_size desc limit 1",
            (rs, n) -> new Object[] {rs.getLong(1), rs.getTimestamp(2).toInstant()});
    long covered = last.isEmpty() ? 0 : (Long) last.get(0)[0];
    Instant at = last.isEmpty() ? Instant.EPOCH : (Instant) last.get(0)[1];
    if (events > covered
        && (events - covered >= every
            || Duration.between(at, clock.instant()).compareTo(interval) >= 0)) {
      checkpointNow();
    }
  }

  @Override
  public synchronized Optional<Made> checkpointNow() {
    return tx.execute(
        status -> {
          // One checkpointer at a time across nodes, and a stable tail while we read.
          jdbc.queryForObject(
              "select pg_advisory_xact_lock(?)", Object.class, JdbcAuditLog.CHAIN_LOCK + 1);
          Long size = jdbc.queryForObject("select max(seq) from audit_event", Long.class);
          if (size == null) {
            return Optional.<Made>empty();
          }
          Boolean exists =
              jdbc.queryForObject(
                  "select exists (select 1 from audit_checkpoint where tree_size = ?)",
                  Boolean.class,
                  size);
          if (Boolean.TRUE.equals(exists)) {
            return Optional.<Made>empty();
          }
          byte[] root = root(size);
          String note =
              Checkpoint.of(origin(keys), size, root, clock.instant()).sign(keys.auditSigner());
          jdbc.update(
              "insert into audit_checkpoint (tree_size, root_hash, signed_note) values (?, ?, ?)",
              size,
              root,
              note);
          witness(size, note);
          log.info("Audit checkpoint at {} events signed by key {}", size, keys.auditKeyId());
          return Optional.of(new Made(size, keys.auditKeyId(), note));
        });
  }

  /**
   * The Merkle root over the hashes of the events up to {@code size}. Extends the tree of the
   * previous checkpoint with the events since, as long as the event that tree ended at is still
   * stored with the same hash; otherwise (a new node, or a log changed under us) builds it from the
   * first event. Either way the result is the root over the stored hashes; extending keeps a
   * checkpoint's cost proportional to the events since the last one, not to the whole log.
   */
  private byte[] root(long size) {
    Frontier from = extendable(size);
    frontier = null; // until the tree below is known to match what is stored
    MerkleTree.Builder tree = from == null ? new MerkleTree.Builder() : from.tree();
    byte[][] lastHash = {from == null ? null : from.lastHash()};
    jdbc.query(
        "select hash from audit_event where seq > ? and seq <= ? order by seq",
        rs -> {
          lastHash[0] = rs.getBytes(1);
          tree.append(MerkleTree.leafHash(lastHash[0]));
        },
        tree.size(),
        size);
    if (tree.size() == size) { // no gap: the next checkpoint can extend this tree
      frontier = new Frontier(tree, lastHash[0]);
    }
    return tree.root();
  }

  /** The previous checkpoint's tree when it still ends at a stored event and not beyond size. */
  private Frontier extendable(long size) {
    if (frontier == null || frontier.tree().size() > size) {
      return null;
    }
    byte[] stored =
        DataAccessUtils.singleResult(
            jdbc.query(
                "select hash from audit_event where seq = ?",
                (rs, n) -> rs.getBytes(1),
                frontier.tree().size()));
    return stored != null && MessageDigest.isEqual(stored, frontier.lastHash()) ? frontier : null;
  }

  private void witness(long size, String note) {
    if (witnessDir.isEmpty()) {
      return;
    }
    try {
      Path target = witnessDir.get().resolve(String.format("checkpoint-%016d.txt", size));
      Path tmp = Files.createTempFile(witnessDir.get(), ".checkpoint", ".tmp");
      Files.writeString(tmp, note, StandardCharsets.UTF_8);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      // The checkpoint is stored; a witness that cannot be written is reported, not ignored.
      throw new IllegalStateException("cannot write the audit witness for checkpoint " + size, e);
    }
  }
}
