package org.phylax.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.cli.CliRun;
import org.phylax.platform.PhylaxProcess;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.PhylaxSettings;
import org.springframework.jdbc.core.JdbcTemplate;

/** {@code ./phylax audit verify} as an operator runs it: exit 0 when intact, 1 where it breaks. */
class AuditVerifyCommandIntegrationTests {

  @TempDir Path dir;

  @Test
  void auditVerifyWhenIntactThenExitZeroAndWhenEditedThenExitOneNamingTheEvent() throws Exception {
    Map<String, String> env =
        Map.of(
            "PHYLAX_DATA_DIR", dir.resolve("data").toString(),
            "PHYLAX_PORT", Integer.toString(PhylaxProcess.freePort()),
            "PHYLAX_MASTER_KEY", PhylaxProcess.newMasterKey());
    // No scheduled checkpoint in this server: the test makes the first one with the CLI.
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    try (PhylaxServer phylax =
        PhylaxServer.start(PhylaxSettings.of(env, PhylaxSettings.Profile.PROD))) {
      AuditLog audit = phylax.context().getBean(AuditLog.class);
      for (int i = 0; i < 12; i++) {
        audit.record(
            AuditEvent.builder(AuditAction.SEARCH, AuditEvent.Outcome.DENY)
                .actor("user-" + i, "front_desk", null)
                .reason("ROLE_NOT_PERMITTED")
                .build());
      }
    } finally {
      System.clearProperty("phylax.audit.checkpoint-poll");
    }
    CliRun checkpoint = CliRun.run(env, "audit", "checkpoint");
    assertThat(checkpoint.status()).as(checkpoint.err()).isZero();
    assertThat(checkpoint.out())
        .containsPattern("checkpoint at 12 events signed by key [0-9a-f]{8}");
    CliRun intact = CliRun.run(env, "audit", "verify");
    assertThat(intact.status()).as(intact.err()).isZero();
    assertThat(intact.out())
        .containsPattern("12 events, chain intact, last checkpoint 12 signed by key [0-9a-f]{8}");

    try (PhylaxServer phylax =
        PhylaxServer.start(PhylaxSettings.of(env, PhylaxSettings.Profile.PROD))) {
      Tampering.asSuperuser(
          phylax.context().getBean(JdbcTemplate.class),
          "update audit_event set outcome = 'PERMIT' where seq = 7");
    }
    // A real process here: the exit status a cron job or script checks is the point.
    try (PhylaxProcess broken = PhylaxProcess.start(dir.resolve("w"), env, "audit", "verify")) {
      assertThat(broken.exitStatus(Duration.ofSeconds(120))).isEqualTo(1);
      assertThat(broken.stdout())
          .contains("audit log broken at event 7: its content does not match its hash");
    }
  }
}
