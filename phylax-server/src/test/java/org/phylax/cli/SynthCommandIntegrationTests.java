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
    // 250 patients are three batches besides the directory: with three writers they commit in
    // any order; with one, in order. Either way every batch is stored and audited exactly once.
    Set<UUID> before = ids();
    long seq0 = auditTail();
    CliRun first = synth("7", "3");
    assertThat(first.status()).as(first.err()).isZero();
    Set<UUID> afterFirst = ids();
    long seq1 = auditTail();
    CliRun second = synth("7", "1");
    assertThat(second.status()).as(second.err()).isZero();
    Set<UUID> afterSecond = ids();
    long seq2 = auditTail();
    CliRun other = synth("8", "2");
    assertThat(other.status()).as(other.err()).isZero();

    Set<UUID> made1 = minus(afterFirst, before);
    Set<UUID> made2 = minus(afterSecond, afterFirst);
    Set<UUID> made3 = minus(ids(), afterSecond);
    Map<String, Integer> counts = printed(first.out());
    assertThat(counts).isEqualTo(stored(made1));
    assertThat(counts.get("Patient")).isEqualTo(250);
    assertThat(counts.keySet())
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
    // Each patient once: no batch lost, none stored twice.
    List<String> expected = new ArrayList<>();
    for (int i = 1; i <= 250; i++) {
      expected.add("S7-" + i);
    }
    expected.sort(null);
    assertThat(mrns(made1)).isEqualTo(expected);
    assertThat(mrns(made2)).isEqualTo(expected);
    // One event per batch, 0 (the directory) to 3, whose counts add up to what was stored.
    assertThat(batchEvents(seq0, seq1).keySet()).containsExactlyInAnyOrder(0, 1, 2, 3);
    assertThat(sum(batchEvents(seq0, seq1).values())).isEqualTo(stored(made1));
    assertThat(batchEvents(seq1, seq2).keySet()).containsExactlyInAnyOrder(0, 1, 2, 3);
    assertThat(sum(batchEvents(seq1, seq2).values())).isEqualTo(stored(made2));
    // A progress line per batch, the patients done adding up whatever order batches commit in.
    assertThat(batchSizes(first.err())).containsExactlyInAnyOrder(100, 100, 50);
    assertThat(first.err()).contains("synth: 250/250 patients");
    assertThat(batchSizes(second.err())).containsExactly(100, 100, 50);

    assertThat(content(made2)).isEqualTo(content(made1));
    assertThat(stored(made2)).isEqualTo(stored(made1));
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
          {"synth"},
          {"synth", "--patients", "0"},
          {"synth", "--patients", "3", "--as-of", "soon"},
          {"synth", "--patients", "3", "--writers", "0"}
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

  private static CliRun synth(String seed, String writers) {
    return CliRun.run(
        env,
        "synth",
        "--patients",
        "250",
        "--seed",
        seed,
        "--as-of",
        "2025-03-01",
        "--writers",
        writers);
  }

  private static long auditTail() {
    return jdbc().queryForObject("select coalesce(max(seq), 0) from audit_event", Long.class);
  }

  private static final Pattern BATCH =
      Pattern.compile("^synth batch (\\d+) by operator [^:]+:(.*)$");

  /** The synth events recorded after {@code from} up to {@code to}: counts per type, by batch. */
  private static Map<Integer, Map<String, Integer>> batchEvents(long from, long to) {
    Map<Integer, Map<String, Integer>> batches = new HashMap<>();
    for (String reason :
        jdbc()
            .queryForList(
                "select outcome_reason from audit_event where seq > ? and seq <= ?"
                    + " and actor_user = 'system:synth' and action = 'CREATE'",
                String.class,
                from,
                to)) {
      Matcher m = BATCH.matcher(reason);
      assertThat(m.matches()).as(reason).isTrue();
      Map<String, Integer> counts = new HashMap<>();
      for (String pair : m.group(2).trim().split(" ")) {
        String[] typeAndCount = pair.split("=");
        counts.put(typeAndCount[0], Integer.parseInt(typeAndCount[1]));
      }
      assertThat(batches.put(Integer.parseInt(m.group(1)), counts)).as("batch twice").isNull();
    }
    return batches;
  }

  private static Map<String, Integer> sum(Iterable<Map<String, Integer>> maps) {
    Map<String, Integer> sum = new HashMap<>();
    maps.forEach(m -> m.forEach((type, n) -> sum.merge(type, n, Integer::sum)));
    return sum;
  }

  /** The patients each progress line added to the one before. */
  private static List<Integer> batchSizes(String err) {
    List<Integer> sizes = new ArrayList<>();
    Matcher m = Pattern.compile("(?m)^synth: (\\d+)/\\d+ patients").matcher(err);
    int done = 0;
    while (m.find()) {
      sizes.add(Integer.parseInt(m.group(1)) - done);
      done = Integer.parseInt(m.group(1));
    }
    return sizes;
  }

  /** The synth MRNs (identifier values) of the Patients among {@code ids}, sorted. */
  private static List<String> mrns(Set<UUID> ids) {
    RecordStore store = server.context().getBean(RecordStore.class);
    Permit system = server.context().getBean(SystemAccess.class).forTask("test");
    List<String> mrns = new ArrayList<>();
    for (UUID id :
        jdbc()
            .queryForList(
                "select id from record_resource where id = any(?) and resource_type = 'Patient'",
                UUID.class,
                (Object) ids.toArray(new UUID[0]))) {
      Patient p = (Patient) store.read(system, "Patient", id).resource();
      p.getIdentifier().stream()
          .filter(i -> Synthesizer.MRN_SYSTEM.equals(i.getSystem()))
          .forEach(i -> mrns.add(i.getValue()));
    }
    mrns.sort(null);
    return mrns;
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
