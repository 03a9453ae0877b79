package org.phylax.audit.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.phylax.audit.AuditVerifier;
import org.phylax.crypto.AuditChain;
import org.phylax.crypto.Checkpoint;
import org.phylax.crypto.IntegrityException;
import org.phylax.crypto.MerkleTree;
import org.phylax.keys.DataKeys;
import org.phylax.platform.PhylaxSettings;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Streams the log in sequence order, recomputes the chain and the Merkle tree, and checks each
 * signed checkpoint (stored and witnessed) when the tree reaches its size; stops at the first
 * break.
 */
@Component
class JdbcAuditVerifier implements AuditVerifier {

  private final JdbcTemplate jdbc;
  private final TransactionTemplate tx;
  private final DataKeys keys;
  private final Optional<Path> witnessDir;

  JdbcAuditVerifier(
      JdbcTemplate jdbc, TransactionTemplate tx, DataKeys keys, PhylaxSettings settings) {
    this.jdbc = new JdbcTemplate(jdbc.getDataSource());
    this.jdbc.setFetchSize(10_000); // PostgreSQL streams with a fetch size inside a transaction
    this.tx = tx;
    this.keys = keys;
    this.witnessDir = settings.auditWitnessDir();
  }

  /** A checkpoint to meet on the way: where it came from, and its note. */
  private record Expected(long size, String source, String note) {}

  @Override
  public Verification verify() {
    return tx.execute(status -> walk());
  }

  private Verification walk() {
    List<Expected> checkpoints = new ArrayList<>();
    jdbc.query(
        "select tree_size, signed_note from audit_checkpoint order by tree_size",
        (RowCallbackHandler)
            rs ->
                checkpoints.add(
                    new Expected(rs.getLong(1), "checkpoint " + rs.getLong(1), rs.getString(2))));
    checkpoints.addAll(witnessed());
    checkpoints.sort(Comparator.comparingLong(Expected::size));

    var state =
        new Object() {
          long expected = 1;
          byte[] prev = AuditChain.genesis();
          MerkleTree.Builder tree = new MerkleTree.Builder();
          int next = 0;
          long lastCheckpoint = 0;
          Verification broken;
        };
    RowCallbackHandler check =
        rs -> {
          if (state.broken != null) {
            return;
          }
          CanonicalEvent.StoredEvent e = read(rs);
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
          byte[] recomputed = AuditChain.link(state.prev, CanonicalEvent.encode(e));
          if (!MessageDigest.isEqual(recomputed, e.hash)) {
            state.broken =
                Verification.broken(
                    e.seq - 1, e.seq, "its content does not match its hash (edited or forged)");
            return;
          }
          state.prev = e.hash;
          state.tree.append(MerkleTree.leafHash(e.hash));
          while (state.next < checkpoints.size()
              && checkpoints.get(state.next).size() == state.tree.size()) {
            Expected cp = checkpoints.get(state.next++);
            String problem = check(cp, state.tree.root());
            if (problem != null) {
              state.broken = Verification.broken(e.seq - 1, cp.size(), problem);
              return;
            }
            state.lastCheckpoint = cp.size();
          }
          state.expected++;
        };
    jdbc.query("select * from audit_event order by seq", check);
    if (state.broken != null) {
      return state.broken;
    }
    long events = state.expected - 1;
    if (state.next < checkpoints.size()) {
      Expected beyond = checkpoints.get(state.next);
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
    return Verification.intact(events, state.lastCheckpoint, keys.auditKeyId());
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

  static CanonicalEvent.StoredEvent read(java.sql.ResultSet rs) throws java.sql.SQLException {
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
    return e;
  }
}
