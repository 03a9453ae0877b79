package org.phylax.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.audit.AuditAction;
import org.phylax.audit.AuditEvent;
import org.phylax.audit.AuditLog;
import org.phylax.audit.AuditVerifier;
import org.phylax.audit.Tampering;
import org.phylax.crypto.AuditChain;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.TestServers;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The append path when this node is not the only writer: it chains onto the last event it wrote
 * without reading it back, so these tests change the stored tail under it, as another node sharing
 * the database would, and check that the chain stays whole.
 */
class JdbcAuditLogIntegrationTests {

  @TempDir static Path dir;
  static PhylaxServer server;
  static AuditLog audit;
  static AuditVerifier verifier;
  static JdbcTemplate jdbc;
  static DataSource dataSource;

  @BeforeAll
  static void start() {
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    server = TestServers.dev(dir);
    audit = server.context().getBean(AuditLog.class);
    verifier = server.context().getBean(AuditVerifier.class);
    jdbc = server.context().getBean(JdbcTemplate.class);
    dataSource = server.context().getBean(DataSource.class);
  }

  @AfterAll
  static void stop() {
    server.close();
    System.clearProperty("phylax.audit.checkpoint-poll");
  }

  @BeforeEach
  void emptyLog() {
    Tampering.asSuperuser(jdbc, "delete from audit_event");
    Tampering.asSuperuser(jdbc, "delete from audit_checkpoint");
  }

  private static long record(int i) {
    return audit.record(
        AuditEvent.builder(AuditAction.READ, AuditEvent.Outcome.PERMIT)
            .at(Instant.parse("2026-11-25T09:00:00Z").plusSeconds(i))
            .actor("user-" + i, "physician", null)
            .entity("Patient", "p-" + i, 1L)
            .reason("ASSIGNED")
            .build());
  }

  /** What another node's writer does: chain one event onto the stored tail and insert it. */
  private static long appendAsAnotherNode(Connection c) throws Exception {
    long seq = 0;
    byte[] prev = AuditChain.genesis();
    try (PreparedStatement ps =
            c.prepareStatement("select seq, hash from audit_event order by seq desc limit 1");
        ResultSet rs = ps.executeQuery()) {
      if (rs.next()) {
        seq = rs.getLong(1);
        prev = rs.getBytes(2);
      }
    }
    CanonicalEvent.StoredEvent e = new CanonicalEvent.StoredEvent();
    e.seq = seq + 1;
    e.occurredAt = Instant.parse("2026-11-25T09:30:00Z");
    e.actorUser = "user-on-node-2";
    e.action = "LOGIN";
    e.outcome = "SUCCESS";
    e.prevHash = prev;
    e.hash = AuditChain.link(prev, CanonicalEvent.encode(e));
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into audit_event (seq, occurred_at, actor_user, action, outcome, prev_hash,"
                + " hash) values (?, ?, ?, ?, ?, ?, ?)")) {
      ps.setLong(1, e.seq);
      ps.setObject(2, java.time.OffsetDateTime.parse("2026-11-25T09:30:00Z"));
      ps.setString(3, e.actorUser);
      ps.setString(4, e.action);
      ps.setString(5, e.outcome);
      ps.setBytes(6, e.prevHash);
      ps.setBytes(7, e.hash);
      ps.executeUpdate();
    }
    return e.seq;
  }

  @Test
  void recordWhenAnotherNodeAppendedSinceThenChainsOntoItsEvent() throws Exception {
    record(1);
    record(2);
    try (Connection c = dataSource.getConnection()) {
      assertThat(appendAsAnotherNode(c)).isEqualTo(3);
    }

    assertThat(record(4)).isEqualTo(4);
    AuditVerifier.Verification v = verifier.verify();
    assertThat(v.isIntact()).as(v.summary()).isTrue();
    assertThat(v.events()).isEqualTo(4);
  }

  @Test
  void recordWhenAnotherNodeIsInsertingTheSameSequenceThenWaitsAndChainsAfterIt() throws Exception {
    record(1);
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      assertThat(appendAsAnotherNode(c)).isEqualTo(2); // not committed yet
      CompletableFuture<Long> mine = CompletableFuture.supplyAsync(() -> record(3));
      Thread.sleep(300); // our insert of seq 2 now waits on the other node's
      assertThat(mine).isNotDone();
      c.commit();

      assertThat(mine.get(10, TimeUnit.SECONDS)).isEqualTo(3);
    }
    AuditVerifier.Verification v = verifier.verify();
    assertThat(v.isIntact()).as(v.summary()).isTrue();
    assertThat(v.events()).isEqualTo(3);
  }

  @Test
  void recordWhenTheStoredTailIsNotTheEventItWroteLastThenChainsOntoTheStoredTail() {
    record(1);
    record(2);
    Tampering.asSuperuser(jdbc, "delete from audit_event");

    assertThat(record(3)).isEqualTo(1);
    assertThat(verifier.verify().summary()).startsWith("1 events, chain intact");
  }
}
