package org.phylax.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
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
import org.phylax.records.SearchParameter;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code ./phylax synth} in process against a running dev server's database, and the demo's
 * synthetic patients made on its first run.
 */
class SynthCommandIntegrationTests {

  private static final Pattern COUNT = Pattern.compile("(?m)^([A-Za-z]+)\\s+(\\d+)$");

  @TempDir static Path dir;
  static PhylaxServer server;
  static Map<String, String> env;
  static Map<String, Account> users;
  static Synthesizer.Result demo;

  @BeforeAll
  static void start() {
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    Path data = dir.resolve("data");
    env =
        Map.of(
            "PHYLAX_DATA_DIR",
            data.toString(),
            "PHYLAX_PROFILE",
            "dev",
            "PHYLAX_PORT",
            Integer.toString(PhylaxProcess.freePort()));
    server = PhylaxServer.start(PhylaxSettings.of(env, PhylaxSettings.Profile.DEV));
    Accounts accounts = server.context().getBean(Accounts.class);
    List<DemoUsers.Credentials> made =
        new DemoUsers(
                accounts,
                server.context().getBean(RecordStore.class),
                server.context().getBean(SystemAccess.class),
                data)
            .ensure();
    demo = DemoPatients.ensure(server.context(), System.err).orElseThrow();
    users =
        made.stream()
            .collect(
                Collectors.toMap(
                    DemoUsers.Credentials::username, c -> accounts.find(c.username()).get()));
  }

  @AfterAll
  static void stop() {
    server.close();
    System.clearProperty("phylax.audit.checkpoint-poll");
  }

  @Test
  void synthWhenSameSeedTwiceThenSameContentAndPrintedCountsAreTheStoredRows() {
    Set<UUID> before = ids();
    CliRun first =
        CliRun.run(env, "synth", "--patients", "120", "--seed", "7", "--as-of", "2025-03-01");
    assertThat(first.status()).as(first.err()).isZero();
    Set<UUID> afterFirst = ids();
    CliRun second =
        CliRun.run(env, "synth", "--patients", "120", "--seed", "7", "--as-of", "2025-03-01");
    assertThat(second.status()).as(second.err()).isZero();
    Set<UUID> afterSecond = ids();
    CliRun other =
        CliRun.run(env, "synth", "--patients", "120", "--seed", "8", "--as-of", "2025-03-01");
    assertThat(other.status()).as(other.err()).isZero();

    Set<UUID> made1 = minus(afterFirst, before);
    Set<UUID> made2 = minus(afterSecond, afterFirst);
    Set<UUID> made3 = minus(ids(), afterSecond);
    assertThat(printed(first.out())).isEqualTo(stored(made1));
    assertThat(printed(first.out()).get("Patient")).isEqualTo(120);
    assertThat(printed(first.out()).keySet())
        .contains(
            "Organization",
            "Practitioner",
            "PractitionerRole",
            "Encounter",
            "Observation",
            "Condition",
            "MedicationRequest",
            "Immunization",
            "Appointment",
            "CareTeam");
    assertThat(first.out()).containsPattern("resources/s");
    assertThat(first.err()).contains("synth: 100/120 patients").contains("synth: 120/120 patients");
    assertThat(content(made2)).isEqualTo(content(made1));
    assertThat(second.out().lines().filter(l -> !l.contains("resources")).toList())
        .containsAll(first.out().lines().filter(l -> COUNT.matcher(l).matches()).toList());
    assertThat(content(made3)).isNotEqualTo(content(made1));
    System.err.println(
        "synth rate: " + first.out().lines().filter(l -> l.contains("resources/s")).toList());
  }

  @Test
  void synthWhenPatientsMissingOrZeroThenExit2WithOneLine() {
    for (String[] args :
        new String[][] {
          {"synth"}, {"synth", "--patients", "0"}, {"synth", "--patients", "3", "--as-of", "soon"}
        }) {
      CliRun run = CliRun.run(env, args);
      assertThat(run.status()).as(String.join(" ", args)).isEqualTo(2);
      assertThat(run.err().lines().toList()).as(run.err()).hasSize(1);
    }
  }

  @Test
  void demoWhenFirstRunThenThePhysicianHasSomeSynthPatientsInCareAndNotOthers() {
    assertThat(demo.counts().get("Patient")).isEqualTo(DemoPatients.COUNT);
    assertThat(DemoPatients.ensure(server.context(), System.err)).as("second run").isEmpty();
    List<String> physician = new ArrayList<>();
    List<String> nurse = new ArrayList<>();
    UUID demoPatient = users.get("demo-patient").patientId().orElseThrow();
    for (UUID patient : demoSynthPatients()) {
      assertThat(patient).isNotEqualTo(demoPatient);
      physician.add(decide("demo-physician", patient));
      nurse.add(decide("demo-nurse", patient));
    }
    assertThat(physician).hasSize(DemoPatients.COUNT);
    assertThat(physician.stream().filter("ASSIGNED"::equals).count()).isEqualTo(10);
    assertThat(physician.stream().filter(o -> !o.equals("ASSIGNED")).count()).isEqualTo(10);
    assertThat(nurse).contains("CARE_TEAM");
    assertThat(nurse.stream().filter(o -> !o.equals("CARE_TEAM")).count()).isPositive();
  }

  private static List<UUID> demoSynthPatients() {
    RecordStore store = server.context().getBean(RecordStore.class);
    Permit system = server.context().getBean(SystemAccess.class).forTask("test");
    List<UUID> patients = new ArrayList<>();
    for (int i = 1; i <= DemoPatients.COUNT; i++) {
      String mrn = Synthesizer.MRN_SYSTEM + "|S" + DemoPatients.SEED + "-" + i;
      patients.add(store.search(system, "Patient", SearchParameter.IDENTIFIER, mrn).get(0).id());
    }
    return patients;
  }

  private static String decide(String user, UUID patient) {
    return server
        .context()
        .getBean(AccessPolicy.class)
        .decide(
            AccessRequest.of(
                    Subject.user(users.get(user), Instant.now()), AccessAction.READ, "Observation")
                .patient(patient)
                .build())
        .outcome();
  }

  private static JdbcTemplate jdbc() {
    return server.context().getBean(JdbcTemplate.class);
  }

  private static Set<UUID> ids() {
    return Set.copyOf(jdbc().queryForList("select id from record_resource", UUID.class));
  }

  private static Set<UUID> minus(Set<UUID> a, Set<UUID> b) {
    return a.stream().filter(id -> !b.contains(id)).collect(Collectors.toSet());
  }

  private static Map<String, Integer> printed(String out) {
    Map<String, Integer> counts = new HashMap<>();
    Matcher m = COUNT.matcher(out);
    while (m.find()) {
      if (!m.group(1).equals("total")) {
        counts.put(m.group(1), Integer.parseInt(m.group(2)));
      }
    }
    return counts;
  }

  private static Map<String, Integer> stored(Set<UUID> ids) {
    Map<String, Integer> counts = new HashMap<>();
    for (Map<String, Object> row :
        jdbc()
            .queryForList(
                "select resource_type, count(*) n from record_resource where id = any(?) group by 1",
                (Object) ids.toArray(new UUID[0]))) {
      counts.put((String) row.get("resource_type"), ((Number) row.get("n")).intValue());
    }
    return counts;
  }

  /** Names, birth dates, condition codes and vital values, sorted: content without the ids. */
  private static List<String> content(Set<UUID> ids) {
    RecordStore store = server.context().getBean(RecordStore.class);
    Permit system = server.context().getBean(SystemAccess.class).forTask("test");
    List<String> content = new ArrayList<>();
    for (Map<String, Object> row :
        jdbc()
            .queryForList(
                "select id, resource_type from record_resource where id = any(?)"
                    + " and resource_type in ('Patient', 'Condition', 'Observation')",
                (Object) ids.toArray(new UUID[0]))) {
      var resource =
          store.read(system, (String) row.get("resource_type"), (UUID) row.get("id")).resource();
      if (resource instanceof Patient p) {
        content.add(
            "P "
                + p.getNameFirstRep().getFamily()
                + " "
                + p.getNameFirstRep().getGivenAsSingleString()
                + " "
                + p.getBirthDateElement().getValueAsString()
                + " "
                + p.getAddressFirstRep().getPostalCode());
      } else if (resource instanceof Condition c) {
        content.add("C " + c.getCode().getCodingFirstRep().getCode());
      } else if (resource instanceof Observation o) {
        content.add(
            "O "
                + o.getCode().getCodingFirstRep().getCode()
                + " "
                + o.getValueQuantity().getValue()
                + " "
                + o.getEffectiveDateTimeType().getValueAsString());
      }
    }
    content.sort(null);
    return content;
  }
}
