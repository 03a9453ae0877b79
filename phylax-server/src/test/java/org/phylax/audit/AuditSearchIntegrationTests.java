package org.phylax.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.TestServers;
import org.springframework.jdbc.core.JdbcTemplate;

/** Searching the audit log on a real PostgreSQL: criteria, paging, and the read recorded first. */
class AuditSearchIntegrationTests {

  @TempDir static Path dir;
  static PhylaxServer server;
  static AuditLog audit;
  static AuditSearch search;
  static AuditVerifier verifier;
  static JdbcTemplate jdbc;

  static final Instant T0 = Instant.parse("2026-11-25T08:00:00Z");
  static final UUID ALICE = UUID.fromString("00000000-0000-4000-8000-00000000a11c");
  static final UUID BORIS = UUID.fromString("00000000-0000-4000-8000-0000000b0215");
  static final AuditSearch.Reader OFFICER =
      new AuditSearch.Reader(
          "officer-1",
          "compliance_officer",
          null,
          "10.0.0.7",
          "synthetic-browser/2",
          "req-9",
          "HOPERAT");

  @BeforeAll
  static void start() {
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    server = TestServers.dev(dir);
    audit = server.context().getBean(AuditLog.class);
    search = server.context().getBean(AuditSearch.class);
    verifier = server.context().getBean(AuditVerifier.class);
    jdbc = server.context().getBean(JdbcTemplate.class);
  }

  @AfterAll
  static void stop() {
    server.close();
    System.clearProperty("phylax.audit.checkpoint-poll");
  }

  /**
   * Ten events, one a minute from T0: even minutes about Alice, odd about Boris; users nurse-1 and
   * doctor-2 alternate in pairs; minute 4 is a denial, minute 7 a break-glass with a justification.
   */
  @BeforeEach
  void tenEvents() {
    Tampering.asSuperuser(jdbc, "delete from audit_event");
    for (int i = 0; i < 10; i++) {
      AuditAction action = i == 7 ? AuditAction.BREAK_GLASS : AuditAction.READ;
      AuditEvent.Outcome outcome = i == 4 ? AuditEvent.Outcome.DENY : AuditEvent.Outcome.PERMIT;
      AuditEvent.Builder b =
          AuditEvent.builder(action, outcome)
              .at(T0.plusSeconds(60L * i))
              .actor(i / 2 % 2 == 0 ? "nurse-1" : "doctor-2", "nurse", null)
              .source("10.0.0." + i, "synthetic-agent/1", "req-" + i)
              .entity("Observation", "obs-" + i, 1L)
              .patient(i % 2 == 0 ? ALICE : BORIS)
              .purpose("TREAT")
              .reason(i == 4 ? "NO_RELATIONSHIP" : "CARE_TEAM");
      if (i == 7) {
        b.justification("Unconscious on arrival, no care team reachable tonight");
      }
      audit.record(b.build());
    }
  }

  private static List<String> entityIds(AuditSearch.Page page) {
    return page.entries().stream().map(e -> e.event().entityId()).toList();
  }

  @Test
  void searchWhenByPatientThenOnlyTheirEventsNewestFirst() {
    AuditSearch.Page page = search.search(AuditQuery.builder().patient(ALICE).build(), OFFICER);

    // Newest of all is this very read: it is recorded, about Alice, before the query runs.
    assertThat(page.entries().get(0).seq()).isEqualTo(page.readSeq());
    assertThat(page.entries().get(0).event().action()).isEqualTo(AuditAction.AUDIT_READ);
    assertThat(entityIds(page).subList(1, 6))
        .containsExactly("obs-8", "obs-6", "obs-4", "obs-2", "obs-0");
    assertThat(page.entries()).hasSize(6);
    assertThat(page.next()).isEmpty();
  }

  @Test
  void searchWhenByUserTimeRangeActionAndOutcomeThenEachCriterionHolds() {
    assertThat(
            entityIds(search.search(AuditQuery.builder().actorUser("doctor-2").build(), OFFICER)))
        .containsExactly("obs-7", "obs-6", "obs-3", "obs-2");
    assertThat(
            entityIds(
                search.search(
                    AuditQuery.builder().between(T0.plusSeconds(120), T0.plusSeconds(300)).build(),
                    OFFICER)))
        .as("from is inclusive, to exclusive")
        .containsExactly("obs-4", "obs-3", "obs-2");
    assertThat(
            entityIds(
                search.search(
                    AuditQuery.builder().action(AuditAction.BREAK_GLASS).build(), OFFICER)))
        .containsExactly("obs-7");
    assertThat(
            entityIds(
                search.search(
                    AuditQuery.builder().outcome(AuditEvent.Outcome.DENY).build(), OFFICER)))
        .containsExactly("obs-4");
    assertThat(
            entityIds(
                search.search(
                    AuditQuery.builder()
                        .patient(BORIS)
                        .actorUser("doctor-2")
                        .action(AuditAction.READ, AuditAction.BREAK_GLASS)
                        .build(),
                    OFFICER)))
        .containsExactly("obs-7", "obs-3");
  }

  @Test
  void searchWhenPagedThenEveryEventOnceInOrderAndTheLastPageHasNoCursor() {
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      AuditSearch.Page page =
          search.search(
              AuditQuery.builder()
                  .action(AuditAction.READ, AuditAction.BREAK_GLASS)
                  .pageSize(3)
                  .after(cursor)
                  .build(),
              OFFICER);
      assertThat(page.entries()).hasSizeLessThanOrEqualTo(3);
      seen.addAll(entityIds(page));
      cursor = page.next().orElse(null);
      pages++;
    } while (cursor != null);

    assertThat(pages).isEqualTo(4);
    assertThat(seen)
        .containsExactly(
            "obs-9", "obs-8", "obs-7", "obs-6", "obs-5", "obs-4", "obs-3", "obs-2", "obs-1",
            "obs-0");
  }

  @Test
  void searchWhenEventsShareATimestampThenPagingStillNeitherSkipsNorRepeats() {
    Tampering.asSuperuser(jdbc, "delete from audit_event");
    for (int i = 0; i < 5; i++) {
      audit.record(
          AuditEvent.builder(AuditAction.READ, AuditEvent.Outcome.PERMIT)
              .at(T0)
              .actor("nurse-1", "nurse", null)
              .entity("Observation", "same-" + i, 1L)
              .patient(ALICE)
              .build());
    }
    AuditQuery.Builder q = AuditQuery.builder().patient(ALICE).action(AuditAction.READ).pageSize(2);
    AuditSearch.Page first = search.search(q.build(), OFFICER);
    AuditSearch.Page second = search.search(q.after(first.next().orElseThrow()).build(), OFFICER);
    AuditSearch.Page third = search.search(q.after(second.next().orElseThrow()).build(), OFFICER);

    assertThat(entityIds(first)).containsExactly("same-4", "same-3");
    assertThat(entityIds(second)).containsExactly("same-2", "same-1");
    assertThat(entityIds(third)).containsExactly("same-0");
    assertThat(third.next()).isEmpty();
  }

  @Test
  void searchThenTheReadIsRecordedWithReaderCriteriaAndPatientBeforeResults() {
    AuditSearch.Page page =
        search.search(AuditQuery.builder().patient(BORIS).pageSize(2).build(), OFFICER);

    AuditSearch.Page reads =
        search.search(
            AuditQuery.builder().action(AuditAction.AUDIT_READ).actorUser("officer-1").build(),
            OFFICER);
    AuditSearch.Entry recorded =
        reads.entries().stream().filter(e -> e.seq() == page.readSeq()).findFirst().orElseThrow();
    AuditEvent read = recorded.event();
    assertThat(read.actorRole()).isEqualTo("compliance_officer");
    assertThat(read.sourceIp()).isEqualTo("10.0.0.7");
    assertThat(read.userAgent()).isEqualTo("synthetic-browser/2");
    assertThat(read.requestId()).isEqualTo("req-9");
    assertThat(read.purposeOfUse()).isEqualTo("HOPERAT");
    assertThat(read.patientId()).isEqualTo(BORIS);
    assertThat(read.entityType()).isEqualTo("AuditEvent");
    assertThat(read.outcomeReason()).isEqualTo("audit search patient=" + BORIS + " size=2");
    // The second search is itself recorded, and finds the first one's record too.
    assertThat(reads.entries()).extracting(AuditSearch.Entry::seq).contains(reads.readSeq());
    assertThat(verifier.verify().isIntact()).isTrue();
  }

  @Test
  void searchThenTheBreakGlassJustificationComesBackInClear() {
    AuditSearch.Page page =
        search.search(AuditQuery.builder().action(AuditAction.BREAK_GLASS).build(), OFFICER);

    assertThat(page.entries().get(0).event().justification())
        .isEqualTo("Unconscious on arrival, no care team reachable tonight");
    assertThat(
            jdbc.queryForObject(
                "select position(convert_to('Unconscious', 'UTF8') in justification) from audit_event"
                    + " where action = 'BREAK_GLASS'",
                Integer.class))
        .as("stored encrypted")
        .isZero();
  }

  @Test
  void searchWhenTheReadCannotBeRecordedThenNothingIsReturned() {
    Tampering.asOwner(jdbc, "revoke insert on audit_event from phylax_app");
    try {
      assertThatThrownBy(() -> search.search(AuditQuery.builder().patient(ALICE).build(), OFFICER))
          .isInstanceOf(AuditUnavailableException.class);
    } finally {
      Tampering.asOwner(jdbc, "grant insert on audit_event to phylax_app");
    }
    assertThat(
            jdbc.queryForObject(
                "select count(*) from audit_event where action = 'AUDIT_READ'", Long.class))
        .isZero();
  }

  @Test
  void queryWhenRangeEmptyPageSizeOutOfRangeOrCursorForgedThenSaysWhatIsWrong() {
    assertThatThrownBy(() -> AuditQuery.builder().between(T0, T0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("time range is empty");
    assertThatThrownBy(() -> AuditQuery.builder().pageSize(0).build())
        .hasMessage("page size must be between 1 and 1000, not 0");
    assertThatThrownBy(() -> AuditQuery.builder().pageSize(1001).build())
        .hasMessage("page size must be between 1 and 1000, not 1001");
    assertThatThrownBy(() -> AuditQuery.builder().after("not-a-cursor").build())
        .hasMessage("the page cursor is not one this audit log handed out");
    assertThat(AuditCursor.parse(new AuditCursor(T0.plusNanos(123_000), 42).encode()))
        .isEqualTo(new AuditCursor(T0.plusNanos(123_000), 42));
  }
}
