package org.phylax.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.access.Permit;
import org.phylax.records.SyntheticPatients.Person;
import org.postgresql.PGConnection;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The proof that PHI is only ever stored encrypted: 1,000 synthetic patients with three clinical
 * resources each go in through the API; then the raw bytes of every table (binary COPY, so bytea
 * and text alike appear as stored), PostgreSQL's own log and everything the server logged are
 * searched for every PHI value written, in the forms a leak could take. Then everything is read
 * back through the API and compared.
 */
@ExtendWith(OutputCaptureExtension.class)
class PhiAtRestIntegrationTests {

  static final int PATIENTS = 1_000;
  static final int BATCH = 250;

  @TempDir Path dir;

  @Test
  void writeWhenThousandPatientsThenNoPhiValueInAnyTableOrLogAndEveryValueReadsBackExactly(
      CapturedOutput output) throws Exception {
    long started = System.nanoTime();
    SyntheticPatients synthetic = new SyntheticPatients(20_240_601L);
    List<Person> people = new ArrayList<>();
    for (int i = 0; i < PATIENTS; i++) {
      people.add(synthetic.next());
    }

    try (RecordsTestServer phylax = RecordsTestServer.start(dir)) {
      RecordStore store = phylax.store();
      Permit permit = phylax.system("phi-proof");
      long writeStart = System.nanoTime();
      Map<UUID, List<UUID>> clinicalByPatient = new HashMap<>();
      for (int from = 0; from < PATIENTS; from += BATCH) {
        List<Person> batch = people.subList(from, Math.min(PATIENTS, from + BATCH));
        List<StoredResource> stored =
            store.createAll(permit, batch.stream().map(SyntheticPatients::patient).toList());
        List<Resource> clinical = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
          batch.get(i).id = stored.get(i).id();
          clinical.addAll(SyntheticPatients.clinical(batch.get(i)));
        }
        for (StoredResource r : store.createAll(permit, clinical)) {
          clinicalByPatient.computeIfAbsent(r.patientId(), k -> new ArrayList<>()).add(r.id());
        }
      }
      long writeMillis = (System.nanoTime() - writeStart) / 1_000_000;

      // Every table of the database, as PostgreSQL stores its values.
      Map<String, byte[]> sources = new LinkedHashMap<>();
      JdbcClient jdbc = phylax.bean(JdbcClient.class);
      List<String> tables =
          jdbc.sql(
                  "select quote_ident(schemaname) || '.' || quote_ident(tablename) from pg_tables"
                      + " where schemaname not in ('pg_catalog', 'information_schema')"
                      + " order by 1")
              .query(String.class)
              .list();
      assertThat(tables)
          .contains(
              "public.record_resource",
              "public.record_resource_history",
              "public.record_search_token");
      try (Connection c = phylax.bean(DataSource.class).getConnection()) {
        var copy = c.unwrap(PGConnection.class).getCopyAPI();
        for (String table : tables) {
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          copy.copyOut("COPY " + table + " TO STDOUT (FORMAT binary)", out);
          sources.put("table " + table, out.toByteArray());
        }
      }
      assertThat(jdbc.sql("select count(*) from record_resource").query(Long.class).single())
          .isEqualTo(PATIENTS * 4L);

      // Read back first, so that the log scanned below includes the reads too.
      long readStart = System.nanoTime();
      int compared = 0;
      for (Person person : people) {
        Patient patient = (Patient) store.read(permit, "Patient", person.id).resource();
        assertSamePerson(patient, person);
        List<UUID> clinical = clinicalByPatient.get(person.id);
        assertThat(clinical).hasSize(3);
        Observation obs =
            (Observation) store.read(permit, "Observation", clinical.get(0)).resource();
        assertThat(obs.getEffectiveDateTimeType().getValueAsString())
            .isEqualTo(person.clinicalDates.get(0).toString());
        Condition cond = (Condition) store.read(permit, "Condition", clinical.get(1)).resource();
        assertThat(cond.getOnsetDateTimeType().getValueAsString())
            .isEqualTo(person.clinicalDates.get(1).toString());
        MedicationRequest med =
            (MedicationRequest) store.read(permit, "MedicationRequest", clinical.get(2)).resource();
        assertThat(med.getAuthoredOnElement().getValueAsString())
            .isEqualTo(person.clinicalDates.get(2).toString());
        compared++;
      }
      long readMillis = (System.nanoTime() - readStart) / 1_000_000;
      assertThat(compared).isEqualTo(PATIENTS);

      Path pgLog = phylax.dataDir.resolve("pg.log");
      if (Files.exists(pgLog)) {
        sources.put("PostgreSQL log", Files.readAllBytes(pgLog));
      }
      try (Stream<Path> files = Files.walk(phylax.dataDir.resolve("pg"))) {
        for (Path log : files.filter(p -> p.toString().endsWith(".log")).toList()) {
          sources.put("PostgreSQL log " + log.getFileName(), Files.readAllBytes(log));
        }
      }
      sources.put("server log", output.getAll().getBytes(StandardCharsets.UTF_8));

      Set<String> values = new LinkedHashSet<>();
      for (Person person : people) {
        values.addAll(person.searchedValues());
      }
      assertThat(values)
          .allSatisfy(
              v ->
                  assertThat(v.getBytes(StandardCharsets.UTF_8).length)
                      .isGreaterThanOrEqualTo(SyntheticPatients.MIN_SEARCHED_BYTES));
      PhiScanner scanner = new PhiScanner(values);
      Map<String, Integer> hits = new LinkedHashMap<>();
      long scanned = 0;
      for (Map.Entry<String, byte[]> source : sources.entrySet()) {
        scanned += source.getValue().length;
        // Logs are English prose, where "grant" is inside "granted": there a value counts as
        // found only as a whole word. Tables are searched for every occurrence, word or not.
        boolean log = !source.getKey().startsWith("table ");
        int found = scanner.count(source.getValue(), log);
        if (found > 0) {
          hits.put(source.getKey(), found);
        }
      }
      long totalMillis = (System.nanoTime() - started) / 1_000_000;
      System.out.printf(
          "PHI proof: %d patients and %d clinical resources written in %d ms, read back and"
              + " compared in %d ms; %d distinct PHI values searched in %d bytes from %d sources"
              + " (%d tables, logs): %d hits; %d ms in all%n",
          PATIENTS,
          PATIENTS * 3,
          writeMillis,
          readMillis,
          values.size(),
          scanned,
          sources.size(),
          tables.size(),
          hits.values().stream().mapToInt(Integer::intValue).sum(),
          totalMillis);
      assertThat(hits).as("sources holding a PHI value in clear").isEmpty();
      PhiScanner selfCheck = new PhiScanner(Set.of(people.get(7).family));
      assertThat(
              selfCheck.count(
                  ("{\"family\":\"" + people.get(7).family + "\"}")
                      .getBytes(StandardCharsets.UTF_8)))
          .as("the scanner finds a value in clear")
          .isEqualTo(1);
      assertThat(
              selfCheck.count(
                  ("name=" + people.get(7).family + ".").getBytes(StandardCharsets.UTF_8), true))
          .as("and finds it in a log line")
          .isEqualTo(1);
    }
  }

  private static void assertSamePerson(Patient patient, Person person) {
    assertThat(patient.getIdElement().getIdPart()).isEqualTo(person.id.toString());
    assertThat(patient.getNameFirstRep().getFamily()).isEqualTo(person.family);
    assertThat(patient.getNameFirstRep().getGivenAsSingleString()).isEqualTo(person.given);
    assertThat(patient.getIdentifier())
        .extracting(i -> i.getValue())
        .containsExactly(person.mrn, person.ssn);
    assertThat(patient.getBirthDateElement().getValueAsString())
        .isEqualTo(person.birthDate.toString());
    assertThat(patient.getTelecom())
        .extracting(ContactPoint::getValue)
        .containsExactly(person.phone, person.email);
    var address = patient.getAddressFirstRep();
    assertThat(address.getLine().get(0).getValue()).isEqualTo(person.street);
    assertThat(address.getCity()).isEqualTo(person.city);
    assertThat(address.getState()).isEqualTo(person.state);
    assertThat(address.getPostalCode()).isEqualTo(person.zip);
  }

  /**
   * Finds any of many byte strings in a large buffer in one pass: candidates are looked up by their
   * first {@link SyntheticPatients#MIN_SEARCHED_BYTES} bytes, then compared in full.
   */
  static final class PhiScanner {
    private static final int PREFIX = SyntheticPatients.MIN_SEARCHED_BYTES;
    private static final long MASK = (1L << (8 * PREFIX)) - 1;
    private final Map<Long, List<byte[]>> byPrefix = new HashMap<>();

    PhiScanner(Set<String> values) {
      for (String value : values) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        long key = 0;
        for (int i = 0; i < PREFIX; i++) {
          key = (key << 8) | (bytes[i] & 0xff);
        }
        byPrefix.computeIfAbsent(key, k -> new ArrayList<>()).add(bytes);
      }
    }

    int count(byte[] haystack) {
      return count(haystack, false);
    }

    int count(byte[] haystack, boolean wholeWords) {
      int hits = 0;
      long window = 0;
      for (int i = 0; i < haystack.length; i++) {
        window = ((window << 8) | (haystack[i] & 0xff)) & MASK;
        if (i < PREFIX - 1) {
          continue;
        }
        List<byte[]> candidates = byPrefix.get(window);
        if (candidates == null) {
          continue;
        }
        int start = i - PREFIX + 1;
        for (byte[] candidate : candidates) {
          int end = start + candidate.length;
          if (end <= haystack.length
              && java.util.Arrays.equals(haystack, start, end, candidate, 0, candidate.length)
              && (!wholeWords || (!wordByte(haystack, start - 1) && !wordByte(haystack, end)))) {
            hits++;
          }
        }
      }
      return hits;
    }

    private static boolean wordByte(byte[] haystack, int at) {
      if (at < 0 || at >= haystack.length) {
        return false;
      }
      int b = haystack[at] & 0xff;
      return Character.isLetterOrDigit(b) || b >= 0x80;
    }
  }
}
