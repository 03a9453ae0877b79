package org.phylax.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.audit.AuditAction;
import org.phylax.audit.AuditCheckpoints;
import org.phylax.audit.AuditEvent;
import org.phylax.audit.AuditLog;
import org.phylax.audit.AuditVerifier;
import org.phylax.audit.Tampering;
import org.phylax.crypto.AuditChain;
import org.phylax.crypto.MerkleTree;
import org.phylax.platform.PhylaxProcess;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.PhylaxSettings;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Tampering that the chain alone cannot catch, because the attacker recomputes hashes or cuts the
 * tail: the signed checkpoints, stored and witnessed outside the database, catch it.
 */
class AuditCheckpointIntegrationTests {

  @TempDir static Path dir;
  static PhylaxServer server;
  static AuditLog audit;
  static AuditCheckpoints checkpoints;
  static AuditVerifier verifier;
  static JdbcTemplate jdbc;

  @BeforeAll
  static void start() {
    // Checkpoints only when a test asks, so that each test knows which ones exist.
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    server =
        PhylaxServer.start(
            PhylaxSettings.of(
                Map.of(
                    "PHYLAX_DATA_DIR", dir.resolve("data").toString(),
                    "PHYLAX_PORT", Integer.toString(PhylaxProcess.freePort()),
                    "PHYLAX_AUDIT_WITNESS_DIR", dir.resolve("witness").toString()),
                PhylaxSettings.Profile.DEV));
    audit = server.context().getBean(AuditLog.class);
    checkpoints = server.context().getBean(AuditCheckpoints.class);
    verifier = server.context().getBean(AuditVerifier.class);
    jdbc = server.context().getBean(JdbcTemplate.class);
  }

  @AfterAll
  static void stop() {
    server.close();
    System.clearProperty("phylax.audit.checkpoint-poll");
  }

  @BeforeEach
  void emptyLogAndWitness() throws Exception {
    Tampering.asSuperuser(jdbc, "delete from audit_event");
    Tampering.asSuperuser(jdbc, "delete from audit_checkpoint");
    try (var files = Files.list(dir.resolve("witness"))) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
  }

  private static void record(int count) {
    record(count, "nurse");
  }

  private static void record(int count, String role) {
    for (int i = 1; i <= count; i++) {
      audit.record(
          AuditEvent.builder(AuditAction.READ, AuditEvent.Outcome.PERMIT)
              .at(Instant.parse("2026-11-25T08:00:00Z").plusSeconds(i))
              .actor("user-" + i, role, null)
              .entity("Observation", "o-" + i, 1L)
              .reason("CARE_TEAM")
              .build());
    }
  }

  /** The RFC 9162 root over the stored event hashes up to {@code size}, computed from scratch. */
  private static byte[] rootOfStoredEvents(long size) {
    return MerkleTree.root(
        jdbc.query(
            "select hash from audit_event where seq <= ? order by seq",
            (rs, n) -> MerkleTree.leafHash(rs.getBytes(1)),
            size));
  }

  private static byte[] signedRoot(long size) {
    return jdbc.queryForObject(
        "select root_hash from audit_checkpoint where tree_size = ?", byte[].class, size);
  }

  /** What an attacker with the database can do: change events and recompute every hash after. */
  private static void rewriteWithRecomputedHashes(long from) {
    List<CanonicalEvent.StoredEvent> events =
        jdbc.query(
            "select * from audit_event where seq >= ? order by seq",
            (rs, n) -> JdbcAuditVerifier.read(rs),
            from);
    byte[] prev =
        from == 1
            ? AuditChain.genesis()
            : jdbc.queryForObject(
                "select hash from audit_event where seq = ?", byte[].class, from - 1);
    for (CanonicalEvent.StoredEvent e : events) {
      e.actorUser = "user-someone-else";
      e.prevHash = prev;
      e.hash = AuditChain.link(prev, CanonicalEvent.encode(e));
      prev = e.hash;
      Tampering.asSuperuser(
          jdbc,
          "update audit_event set actor_user = ?, prev_hash = ?, hash = ? where seq = ?",
          e.actorUser,
          e.prevHash,
          e.hash,
          e.seq);
    }
  }

  @Test
  void checkpointWhenMadeOneAfterAnotherThenEachSignsTheRootOverEveryEventSoFar() {
    for (int batch : new int[] {10, 7, 1, 16}) {
      record(batch);
      long size = checkpoints.checkpointNow().orElseThrow().size();

      assertThat(signedRoot(size)).as("checkpoint at %d", size).isEqualTo(rootOfStoredEvents(size));
    }
    assertThat(verifier.verify().summary())
        .startsWith("34 events, chain intact, last checkpoint 34");
  }

  @Test
  void checkpointWhenTheEventsWereReplacedSinceTheLastOneThenSignsTheStoredEvents() {
    record(10);
    checkpoints.checkpointNow();
    Tampering.asSuperuser(jdbc, "delete from audit_event");
    Tampering.asSuperuser(jdbc, "delete from audit_checkpoint");
    record(12, "physician");

    long size = checkpoints.checkpointNow().orElseThrow().size();

    assertThat(size).isEqualTo(12);
    assertThat(signedRoot(12)).isEqualTo(rootOfStoredEvents(12));
  }

  @Test
  void verifyWhenIntactThenNamesTheLastCheckpointAndItsKey() {
    record(10);
    AuditCheckpoints.Made made = checkpoints.checkpointNow().orElseThrow();
    record(3);

    AuditVerifier.Verification v = verifier.verify();

    assertThat(made.size()).isEqualTo(10);
    assertThat(v.summary())
        .isEqualTo("13 events, chain intact, last checkpoint 10 signed by key " + made.keyId());
    assertThat(dir.resolve("witness/checkpoint-0000000000000010.txt")).hasContent(made.note());
  }

  @Test
  void verifyWhenTheLastEventsAfterACheckpointAreDeletedThenReportsTheFirstMissing() {
    record(10);
    checkpoints.checkpointNow();
    Tampering.asSuperuser(jdbc, "delete from audit_event where seq > 7");

    AuditVerifier.Verification v = verifier.verify();

    assertThat(v.brokenAt()).isEqualTo(8);
    assertThat(v.summary()).contains("events 8 to 10 are missing");
  }

  @Test
  void verifyWhenTheTailIsRewrittenWithRecomputedHashesThenTheSignedCheckpointCatchesIt() {
    record(10);
    checkpoints.checkpointNow();
    rewriteWithRecomputedHashes(6);

    AuditVerifier.Verification v = verifier.verify();

    assertThat(v.brokenAt()).isEqualTo(10);
    assertThat(v.summary())
        .contains("do not match the Merkle root signed in")
        .contains("rewritten");
  }

  @Test
  void verifyWhenTheCheckpointRowIsEditedThenItsSignatureFails() {
    record(10);
    checkpoints.checkpointNow();
    dir.resolve("witness").toFile().listFiles()[0].delete(); // leave only the stored one
    Tampering.asSuperuser(
        jdbc,
        "update audit_checkpoint set signed_note = regexp_replace(signed_note, 'time [^\\n]*',"
            + " 'time 2020-01-01T00:00:00Z')");

    AuditVerifier.Verification v = verifier.verify();

    assertThat(v.brokenAt()).isEqualTo(10);
    assertThat(v.summary()).contains("checkpoint 10: its signature does not verify");
  }

  @Test
  void verifyWhenTheWholeTableAndItsCheckpointsAreRewrittenThenTheWitnessCatchesIt() {
    record(10);
    checkpoints.checkpointNow();
    Tampering.asSuperuser(jdbc, "delete from audit_checkpoint");
    rewriteWithRecomputedHashes(1);

    AuditVerifier.Verification v = verifier.verify();

    assertThat(v.brokenAt()).isEqualTo(10);
    assertThat(v.summary()).contains("witnessed checkpoint 10");
  }
}
