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
  void demoSchedulesWhenEnsuredThenEachDemoClinicianHasWeekdaySlotsAndASecondRunAddsNone() {
    int opened = DemoSchedules.ensure(server.context());
    Permit system = server.context().getBean(SystemAccess.class).forTask("test");
    RecordStore store = server.context().getBean(RecordStore.class);
    org.phylax.records.ScheduleDirectory directory =
        server.context().getBean(org.phylax.records.ScheduleDirectory.class);
    int free = 0;
    for (String clinician : List.of("demo-physician", "demo-nurse")) {
      UUID practitioner = users.get(clinician).practitionerId().orElseThrow();
      List<StoredResource> schedules = directory.schedulesOf(system, practitioner);
      assertThat(schedules).as(clinician).hasSize(1);
      org.hl7.fhir.r4.model.Schedule schedule =
          (org.hl7.fhir.r4.model.Schedule) schedules.get(0).resource();
      java.time.ZoneId zone =
          java.time.ZoneId.of(
              schedule
                  .getExtensionByUrl("http://hl7.org/fhir/StructureDefinition/timezone")
                  .getValue()
                  .primitiveValue());
      List<StoredResource> slots =
          store.freeSlots(
              system,
              schedules.get(0).id(),
              Instant.now(),
              Instant.now().plus(java.time.Duration.ofDays(35)),
              1_000);
      // four weeks of weekdays, 18 slots a day
      assertThat(slots.size()).as(clinician).isBetween(18 * 19, 18 * 21);
      for (StoredResource stored : slots) {
        org.hl7.fhir.r4.model.Slot slot = (org.hl7.fhir.r4.model.Slot) stored.resource();
        java.time.ZonedDateTime start = slot.getStart().toInstant().atZone(zone);
        assertThat(
                java.time.Duration.between(slot.getStart().toInstant(), slot.getEnd().toInstant()))
            .isEqualTo(java.time.Duration.ofMinutes(20));
        assertThat(start.getDayOfWeek().getValue()).as("a weekday").isLessThanOrEqualTo(5);
        java.time.LocalTime time = start.toLocalTime();
        assertThat(
                (!time.isBefore(java.time.LocalTime.of(9, 0))
                        && time.isBefore(java.time.LocalTime.of(12, 0)))
                    || (!time.isBefore(java.time.LocalTime.of(13, 0))
                        && time.isBefore(java.time.LocalTime.of(16, 0))))
            .as("%s in opening hours", time)
            .isTrue();
      }
      free += slots.size();
    }
    assertThat(opened).isEqualTo(free);
    assertThat(DemoSchedules.ensure(server.context())).as("a second run").isZero();
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
