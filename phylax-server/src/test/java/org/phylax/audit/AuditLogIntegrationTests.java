package org.phylax.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.crypto.FieldContext;
import org.phylax.keys.DataKeys;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.TestServers;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The audit log on a real PostgreSQL: concurrent appends form one gap-free chain, the table refuses
 * edits, and every kind of tampering a database superuser could do is found at the right sequence
 * number.
 */
class AuditLogIntegrationTests {

  @TempDir static Path dir;
  static PhylaxServer server;
  static AuditLog audit;
  static AuditVerifier verifier;
  static JdbcTemplate jdbc;

  @BeforeAll
  static void start() {
    // Checkpoints only when a test asks, so that each test knows which ones exist.
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    server = TestServers.dev(dir);
    audit = server.context().getBean(AuditLog.class);
    verifier = server.context().getBean(AuditVerifier.class);
    jdbc = server.context().getBean(JdbcTemplate.class);
  }

  @AfterAll
  static void stop() {
    server.close();
    System.clearProperty("phylax.audit.checkpoint-poll");
  }

  /** Each test starts from an empty log; only a superuser without triggers can do this. */
  @BeforeEach
  void emptyLog() {
    Tampering.asSuperuser(jdbc, "delete from audit_event");
    Tampering.asSuperuser(jdbc, "delete from audit_checkpoint");
  }

  private static AuditEvent read(int i) {
    return AuditEvent.builder(AuditAction.READ, AuditEvent.Outcome.PERMIT)
        .at(Instant.parse("2026-11-25T10:00:00.123456Z").plusSeconds(i))
        .actor("user-" + (i % 7), "physician", null)
        .source("127.0.0.1", "synthetic-agent/1.0", "req-" + i)
        .entity("Patient", "p-" + i, 1L)
        .patient(UUID.nameUUIDFromBytes(("p" + i).getBytes(StandardCharsets.UTF_8)))
        .purpose("TREAT")
        .reason("ASSIGNED")
        .build();
  }

  private static void recordMany(int count) {
    for (int i = 1; i <= count; i++) {
      audit.record(read(i));
    }
  }

  @Test
  void recordWhenEightWritersAtOnceThenOneGapFreeChainAndEachCallerGetsItsOwnSequence()
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    Set<Long> seqs = ConcurrentHashMap.newKeySet();
    List<Future<?>> writers = new ArrayList<>();
    for (int w = 0; w < 8; w++) {
      int writer = w;
      writers.add(
          pool.submit(
              () -> {
                for (int i = 0; i < 250; i++) {
                  seqs.add(audit.record(read(writer * 1000 + i)));
                }
              }));
    }
    for (Future<?> f : writers) {
      f.get();
    }
    pool.shutdown();

    assertThat(seqs).hasSize(2000);
    assertThat(seqs.stream().mapToLong(Long::longValue).min().orElseThrow()).isEqualTo(1);
    assertThat(seqs.stream().mapToLong(Long::longValue).max().orElseThrow()).isEqualTo(2000);
    AuditVerifier.Verification v = verifier.verify();
    assertThat(v.isIntact()).as(v.summary()).isTrue();
    assertThat(v.events()).isEqualTo(2000);
    assertThat(v.summary()).startsWith("2000 events, chain intact");
  }

  @Test
  void verifyWhenALongLogHasOneEditedEventFarInThenReportsThatEvent() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> writers = new ArrayList<>();
    for (int w = 0; w < 8; w++) {
      int writer = w;
      writers.add(
          pool.submit(
              () -> {
                for (int i = 0; i < 625; i++) {
                  audit.record(read(writer * 10_000 + i));
                }
              }));
    }
    for (Future<?> f : writers) {
      f.get();
    }
    pool.shutdown();
    assertThat(verifier.verify().summary()).startsWith("5000 events, chain intact");

    Tampering.asSuperuser(
        jdbc, "update audit_event set purpose_of_use = 'MARKETING' where seq = 4321");
    AuditVerifier.Verification v = verifier.verify();

    assertThat(v.brokenAt()).isEqualTo(4321);
    assertThat(v.events()).isEqualTo(4320);
    assertThat(v.summary()).contains("edited or forged");
  }

  @Test
  void recordWhenBreakGlassJustificationThenStoredEncryptedAndBoundToItsEvent() {
    String reason = "Unconscious synthetic patient in the emergency room, no chart access";
    long seq =
        audit.record(
            AuditEvent.builder(AuditAction.BREAK_GLASS, AuditEvent.Outcome.PERMIT)
                .actor("user-9", "physician", null)
                .justification(reason)
                .build());

    byte[] stored =
        jdbc.queryForObject(
            "select justification from audit_event where seq = ?", byte[].class, seq);
    String dump =
        jdbc.queryForObject("select string_agg(t::text, '|') from audit_event t", String.class);
    assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain("emergency");
    assertThat(dump).doesNotContain("emergency");
    byte[] opened =
        server
            .context()
            .getBean(DataKeys.class)
            .fieldCipher()
            .decrypt(stored, FieldContext.of("AuditEvent", Long.toString(seq), 1, "justification"));
    assertThat(new String(opened, StandardCharsets.UTF_8)).isEqualTo(reason);
  }

  private static final List<String> CHANGES =
      List.of(
          "update audit_event set actor_user = 'someone-else' where seq = 2",
          "delete from audit_event where seq = 2",
          "truncate audit_event",
          "update audit_checkpoint set root_hash = root_hash",
          "delete from audit_checkpoint",
          "truncate audit_checkpoint");

  @Test
  void changeWhenUpdateDeleteOrTruncateThenTheApplicationRoleMayNot() {
    recordMany(3);
    server.context().getBean(AuditCheckpoints.class).checkpointNow();

    assertThat(jdbc.queryForObject("select current_user", String.class)).isEqualTo("phylax_app");
    for (String sql : CHANGES) {
      assertThatThrownBy(() -> jdbc.execute(sql))
          .as(sql)
          .rootCause()
          .hasMessageContaining("permission denied for table audit_");
    }
    assertThat(verifier.verify().events()).isEqualTo(3);
  }

  @Test
  void changeWhenUpdateDeleteOrTruncateThenTheTriggersRefuseEvenTheOwner() {
    recordMany(3);
    server.context().getBean(AuditCheckpoints.class).checkpointNow();

    for (String sql : CHANGES) {
      assertThatThrownBy(() -> Tampering.asOwner(jdbc, sql))
          .as(sql)
          .rootCause()
          .hasMessageContaining("the audit log is append-only");
    }
    assertThat(verifier.verify().events()).isEqualTo(3);
  }

  @Test
  void verifyWhenAFieldIsEditedThenReportsThatEvent() {
    recordMany(10);
    Tampering.asSuperuser(
        jdbc, "update audit_event set actor_user = 'user-innocent' where seq = 6");

    AuditVerifier.Verification v = verifier.verify();

    assertThat(v.brokenAt()).isEqualTo(6);
    assertThat(v.summary()).contains("edited or forged");
  }

  @Test
  void verifyWhenAnEventIsDeletedThenReportsTheMissingSequence() {
    recordMany(10);
    Tampering.asSuperuser(jdbc, "delete from audit_event where seq = 4");

    AuditVerifier.Verification v = verifier.verify();

    assertThat(v.brokenAt()).isEqualTo(4);
    assertThat(v.summary()).contains("event 4 is missing");
  }

  @Test
  void verifyWhenAForgedEventIsAppendedThenReportsIt() {
    recordMany(5);
    byte[] lastHash =
        jdbc.queryForObject("select hash from audit_event where seq = 5", byte[].class);
    Tampering.asSuperuser(
        jdbc,
        "insert into audit_event (seq, occurred_at, action, outcome, prev_hash, hash)"
            + " values (6, now(), 'READ', 'PERMIT', ?, ?)",
        lastHash,
        new byte[32]);

    assertThat(verifier.verify().brokenAt()).isEqualTo(6);
  }

  @Test
  void verifyWhenTwoEventsAreSwappedThenReportsTheFirst() {
    recordMany(8);
    Tampering.asSuperuser(jdbc, "update audit_event set seq = -3 where seq = 3");
    Tampering.asSuperuser(jdbc, "update audit_event set seq = 3 where seq = 4");
    Tampering.asSuperuser(jdbc, "update audit_event set seq = 4 where seq = -3");

    assertThat(verifier.verify().brokenAt()).isEqualTo(3);
  }

  @Test
  void recordWhenDatabaseIsDownThenRefusesWithinTheTimeout() throws Exception {
    recordMany(1);
    Path data = dir.resolve("data");
    long pid = Long.parseLong(Files.readAllLines(data.resolve("pg/postmaster.pid")).get(0).strip());
    // Freeze PostgreSQL rather than kill it, so the other tests' database comes back afterwards.
    ProcessHandle.of(pid).orElseThrow();
    Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start();
    stop.waitFor();
    ProcessHandle.allProcesses()
        .filter(p -> p.parent().map(pp -> pp.pid() == pid).orElse(false))
        .forEach(p -> signal("-STOP", p.pid()));
    try {
      long start = System.nanoTime();
      assertThatThrownBy(() -> audit.record(read(99)))
          .isInstanceOf(AuditUnavailableException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    } finally {
      ProcessHandle.allProcesses()
          .filter(p -> p.parent().map(pp -> pp.pid() == pid).orElse(false))
          .forEach(p -> signal("-CONT", p.pid()));
      signal("-CONT", pid);
    }
  }

  private static void signal(String signal, long pid) {
    try {
      new ProcessBuilder("kill", signal, Long.toString(pid)).start().waitFor();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
