package org.phylax.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.access.AccessAction;
import org.phylax.access.AccessPolicy;
import org.phylax.access.AccessRequest;
import org.phylax.access.Permit;
import org.phylax.access.Subject;
import org.phylax.access.SystemAccess;
import org.phylax.identity.Account;
import org.phylax.identity.Accounts;
import org.phylax.platform.PhylaxProcess;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.PhylaxSettings;
import org.phylax.records.RecordStore;
import org.phylax.records.StoredResource;

/**
 * The demo's users are linked to synthetic records the way real users would be: each workforce user
 * to a Practitioner with a role at the demo clinic, the patient to a Patient whose general
 * practitioner and care team are demo users; the access policy then decides from those links.
 */
class DemoRelationshipsIntegrationTests {

  @TempDir static Path dir;
  static PhylaxServer server;
  static Map<String, Account> users;

  @BeforeAll
  static void start() {
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    Path data = dir.resolve("data");
    server =
        PhylaxServer.start(
            PhylaxSettings.of(
                Map.of(
                    "PHYLAX_DATA_DIR", data.toString(),
                    "PHYLAX_PORT", Integer.toString(PhylaxProcess.freePort())),
                PhylaxSettings.Profile.DEV));
    Accounts accounts = server.context().getBean(Accounts.class);
    List<DemoUsers.Credentials> made =
        new DemoUsers(
                accounts,
                server.context().getBean(RecordStore.class),
                server.context().getBean(SystemAccess.class),
                data)
            .ensure();
    assertThat(made).hasSize(7);
    users =
        made.stream()
            .collect(
                java.util.stream.Collectors.toMap(
                    DemoUsers.Credentials::username, c -> accounts.find(c.username()).get()));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void demoWhenRunThenEveryWorkforceUserIsAPractitionerWithARoleAtTheClinic() {
    RecordStore store = server.context().getBean(RecordStore.class);
    Permit system = server.context().getBean(SystemAccess.class).forTask("test");
    UUID clinic = null;
    for (Account a : users.values()) {
      if (!a.isWorkforce()) {
        assertThat(a.practitionerId()).isEmpty();
        assertThat(a.patientId()).isPresent();
        continue;
      }
      UUID practitioner = a.practitionerId().orElseThrow();
      StoredResource stored = store.read(system, "Practitioner", practitioner);
      assertThat(stored.patientId()).isNull();
      assertThat(a.displayName().orElseThrow())
          .endsWith(((Practitioner) stored.resource()).getNameFirstRep().getFamily());
      List<UUID> roles =
          server
              .context()
              .getBean(org.springframework.jdbc.core.JdbcTemplate.class)
              .queryForList(
                  "select resource_id from record_affiliation where practitioner_id = ?",
                  UUID.class,
                  practitioner);
      assertThat(roles).as(a.username()).hasSize(1);
      PractitionerRole role =
          (PractitionerRole) store.read(system, "PractitionerRole", roles.get(0)).resource();
      UUID organization = UUID.fromString(role.getOrganization().getReferenceElement().getIdPart());
      if (clinic == null) {
        clinic = organization;
      }
      assertThat(organization).as("one clinic for all").isEqualTo(clinic);
      assertThat(role.getCodeFirstRep().getCodingFirstRep().getCode())
          .isEqualTo(a.roles().iterator().next().key());
    }
  }

  @Test
  void demoPatientWhenEachDemoUserAsksThenThePolicyAnswersFromTheDemoRelationships() {
    UUID patient = users.get("demo-patient").patientId().orElseThrow();
    assertThat(decide("demo-physician", "Observation", patient)).isEqualTo("ASSIGNED");
    assertThat(decide("demo-nurse", "Observation", patient)).isEqualTo("CARE_TEAM");
    assertThat(decide("demo-front-desk", "Patient", patient)).isEqualTo("ASSIGNED");
    assertThat(decide("demo-front-desk", "Observation", patient)).isEqualTo("ROLE_NOT_PERMITTED");
    assertThat(decide("demo-billing", "Coverage", patient)).isEqualTo("ASSIGNED");
    assertThat(decide("demo-compliance-officer", "Observation", patient))
        .isEqualTo("ROLE_NOT_PERMITTED");
    assertThat(decide("demo-admin", "Patient", patient)).isEqualTo("ROLE_NOT_PERMITTED");
    assertThat(decide("demo-patient", "Observation", patient)).isEqualTo("SELF");
  }

  static String decide(String user, String type, UUID patient) {
    return server
        .context()
        .getBean(AccessPolicy.class)
        .decide(
            AccessRequest.of(Subject.user(users.get(user), Instant.now()), AccessAction.READ, type)
                .patient(patient)
                .build())
        .outcome();
  }
}
