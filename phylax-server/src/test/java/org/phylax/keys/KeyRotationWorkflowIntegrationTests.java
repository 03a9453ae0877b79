package org.phylax.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.access.BreakGlass;
import org.phylax.access.Subject;
import org.phylax.access.SystemAccess;
import org.phylax.alerts.Alert;
import org.phylax.alerts.Alerts;
import org.phylax.cli.CliRun;
import org.phylax.identity.Account;
import org.phylax.identity.AccountStatus;
import org.phylax.identity.ClientInfo;
import org.phylax.identity.Role;
import org.phylax.platform.PhylaxProcess;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.PhylaxSettings;
import org.phylax.records.RecordStore;
import org.phylax.records.StoredResource;

/**
 * The operator's rotation, end to end with the CLI: {@code keys rotate}, {@code keys reencrypt},
 * {@code keys status} shows the old key unused, {@code keys retire} removes it, and every record
 * still reads back as written.
 */
class KeyRotationWorkflowIntegrationTests {

  @TempDir Path dir;

  @Test
  void rotateReencryptRetireWhenRecordsStoredThenAllMoveToTheNewKeyAndStayReadable()
      throws Exception {
    Map<String, String> env =
        Map.of(
            "PHYLAX_DATA_DIR", dir.resolve("data").toString(),
            "PHYLAX_PORT", Integer.toString(PhylaxProcess.freePort()),
            "PHYLAX_MASTER_KEY", PhylaxProcess.newMasterKey());
    PhylaxSettings settings = PhylaxSettings.of(env, PhylaxSettings.Profile.PROD);
    List<UUID> ids = new ArrayList<>();
    try (PhylaxServer phylax = PhylaxServer.start(settings)) {
      RecordStore store = phylax.context().getBean(RecordStore.class);
      var permit = phylax.context().getBean(SystemAccess.class).forTask("test-load");
      for (int i = 0; i < 40; i++) {
        Patient patient = new Patient();
        patient.addName().setFamily("Synthfamily" + i).addGiven("Testgiven");
        patient.setGender(Enumerations.AdministrativeGender.UNKNOWN);
        ids.add(store.create(permit, patient).id());
      }
    }

    // Each resource is one value in the current table and one in the history table.
    String oldKey = group("(?m)^(\\d+)\\s+yes\\s+\\S+\\s+80$", cli(env, "keys", "status"));
    String newKey = group("new primary key (\\d+)", cli(env, "keys", "rotate"));
    String reencrypt = cli(env, "keys", "reencrypt", "--batch-size", "7");
    String status = cli(env, "keys", "status");
    String retire = cli(env, "keys", "retire", oldKey);

    assertThat(reencrypt)
        .contains("80 values under older keys")
        .contains("re-encrypted 80 of 80 (100%)");
    assertThat(status).containsPattern("(?m)^" + newKey + "\\s+yes\\s+\\S+\\s+80$");
    assertThat(status).containsPattern("(?m)^" + oldKey + "\\s+\\S+\\s+0$");
    assertThat(retire).contains("retired key " + oldKey);
    try (PhylaxServer phylax = PhylaxServer.start(settings)) {
      RecordStore store = phylax.context().getBean(RecordStore.class);
      var permit = phylax.context().getBean(SystemAccess.class).forTask("test-check");
      for (int i = 0; i < ids.size(); i++) {
        StoredResource read = store.read(permit, "Patient", ids.get(i));
        assertThat(((Patient) read.resource()).getNameFirstRep().getFamily())
            .isEqualTo("Synthfamily" + i);
      }
    }
  }

  @Test
  void reencryptWhenBreakGlassAndAlertNotesStoredThenTheyMove_andAuditJustificationsKeepTheirKey()
      throws Exception {
    Map<String, String> env =
        Map.of(
            "PHYLAX_DATA_DIR", dir.resolve("data").toString(),
            "PHYLAX_PORT", Integer.toString(PhylaxProcess.freePort()),
            "PHYLAX_MASTER_KEY", PhylaxProcess.newMasterKey());
    PhylaxSettings settings = PhylaxSettings.of(env, PhylaxSettings.Profile.PROD);
    java.time.Instant now = java.time.Instant.now();
    Subject officer = subject(Role.COMPLIANCE_OFFICER, now);
    UUID grant;
    UUID alert;
    try (PhylaxServer phylax = PhylaxServer.start(settings)) {
      Patient patient = new Patient();
      patient.addName().setFamily("Synthfamily").addGiven("Testgiven");
      UUID id =
          phylax
              .context()
              .getBean(RecordStore.class)
              .create(phylax.context().getBean(SystemAccess.class).forTask("test-load"), patient)
              .id();
      BreakGlass breakGlass = phylax.context().getBean(BreakGlass.class);
      grant =
          breakGlass
              .open(
                  subject(Role.PHYSICIAN, now),
                  id,
                  "unresponsive on arrival, no ID",
                  ClientInfo.none())
              .id();
      breakGlass.review(
          grant,
          BreakGlass.Verdict.APPROPRIATE,
          "confirmed with the ward",
          officer,
          ClientInfo.none());
      Alerts alerts = phylax.context().getBean(Alerts.class);
      alert = alerts.list(Alert.Status.OPEN, 10, null).alerts().get(0).id();
      alerts.acknowledge(alert, officer.accountId().orElseThrow(), "looked into it, fine");
    }

    String newKey = group("new primary key (\\d+)", cli(env, "keys", "rotate"));
    String reencrypt = cli(env, "keys", "reencrypt");
    assertThat(reencrypt)
        .contains("2 break-glass reasons and review notes under older keys")
        .contains("re-encrypted 2 break-glass reasons and review notes")
        .contains("1 alert acknowledgement notes under older keys");
    String status = cli(env, "keys", "status");
    // The Patient (2 rows), the grant's reason and note, the alert's note: all under the new key.
    assertThat(status).containsPattern("(?m)^" + newKey + "\\s+yes\\s+\\S+\\s+5$");
    // The audit log's justifications (the grant's reason, the review's note) cannot move: the old
    // key stays, and retiring it is refused.
    String oldKey = group("(?m)^(\\d+)\\s+\\S+\\s+2$", status);
    CliRun retire = CliRun.run(env, "keys", "retire", oldKey);
    assertThat(retire.status()).isNotZero();
    try (PhylaxServer phylax = PhylaxServer.start(settings)) {
      BreakGlass.Grant read =
          phylax
              .context()
              .getBean(BreakGlass.class)
              .reviews(false, 10, new BreakGlass.Reader(officer, ClientInfo.none()))
              .get(0);
      assertThat(read.id()).isEqualTo(grant);
      assertThat(read.reason()).isEqualTo("unresponsive on arrival, no ID");
      assertThat(read.note()).contains("confirmed with the ward");
      assertThat(phylax.context().getBean(Alerts.class).find(alert).orElseThrow().note())
          .contains("looked into it, fine");
    }
  }

  private static Subject subject(Role role, java.time.Instant now) {
    UUID id = UUID.randomUUID();
    return Subject.user(
        new Account(
            id,
            "u-" + id,
            null,
            java.util.Set.of(role),
            null,
            null,
            AccountStatus.ACTIVE,
            null,
            true,
            1,
            now,
            "test",
            now,
            "test"),
        now);
  }

  private String cli(Map<String, String> env, String... args) {
    CliRun run = CliRun.run(env, args);
    assertThat(run.status()).as("%s: %s", String.join(" ", args), run.err()).isZero();
    return run.out();
  }

  private static String group(String regex, String text) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as("%s in %s", regex, text).isTrue();
    return m.group(1);
  }
}
