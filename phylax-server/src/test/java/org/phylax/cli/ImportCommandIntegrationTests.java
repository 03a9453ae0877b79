package org.phylax.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.hl7.fhir.r4.model.Observation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.access.Permit;
import org.phylax.access.SystemAccess;
import org.phylax.platform.PhylaxProcess;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.PhylaxSettings;
import org.phylax.records.RecordStore;
import org.phylax.records.SearchParameter;
import org.phylax.records.StoredResource;
import org.springframework.jdbc.core.JdbcTemplate;

/** {@code ./phylax import} in process against a running dev server's database. */
class ImportCommandIntegrationTests {

  private static final String BUNDLE =
      """
      {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": "urn:uuid:0b1", "resource": {"resourceType": "Observation", "status": "final",
          "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
          "subject": {"reference": "urn:uuid:0a1"}, "encounter": {"reference": "urn:uuid:0e1"},
          "valueQuantity": {"value": 72, "unit": "/min"}},
         "request": {"method": "POST", "url": "Observation"}},
        {"fullUrl": "urn:uuid:0e1", "resource": {"resourceType": "Encounter", "status": "finished",
          "class": {"code": "AMB"}, "subject": {"reference": "urn:uuid:0a1"},
          "serviceProvider": {"reference": "Organization?identifier=urn:test:org|O1"}},
         "request": {"method": "POST", "url": "Encounter"}},
        {"fullUrl": "urn:uuid:0a1", "resource": {"resourceType": "Patient",
          "identifier": [{"system": "urn:test:mrn", "value": "M1"}],
          "name": [{"family": "Testperson", "given": ["Ada"]}],
          "managingOrganization": {"reference": "Organization?identifier=urn:test:org|O1"}},
         "request": {"method": "POST", "url": "Patient"}},
        {"fullUrl": "urn:uuid:0c1", "resource": {"resourceType": "Organization", "name": "Test Clinic",
          "identifier": [{"system": "urn:test:org", "value": "O1"}]},
         "request": {"method": "POST", "url": "Organization"}}
      ]}
      """;

  private static final String NDJSON =
      """
      {"resourceType": "Patient", "id": "x1", "identifier": [{"system": "urn:test:mrn", "value": "M2"}], "name": [{"family": "Sample"}]}
      {"resourceType": "Observation", "id": "y1", "status": "final", "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]}, "subject": {"reference": "Patient/x1"}}
      """;

  private static final String BROKEN =
      """
      {"resourceType": "Patient", "id": "z1", "identifier": [{"system": "urn:test:mrn", "value": "M3"}]}
      {"resourceType": "Patient", "id": "z2", "identifier": [
      {"resourceType": "Patient", "id": "z3", "identifier": [{"system": "urn:test:mrn", "value": "M4"}]}
      """;

  @TempDir static Path dir;
  static PhylaxServer server;
  static Map<String, String> env;

  @BeforeAll
  static void start() throws Exception {
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    env =
        Map.of(
            "PHYLAX_DATA_DIR",
            dir.resolve("data").toString(),
            "PHYLAX_PROFILE",
            "dev",
            "PHYLAX_PORT",
            Integer.toString(PhylaxProcess.freePort()));
    server = PhylaxServer.start(PhylaxSettings.of(env, PhylaxSettings.Profile.DEV));
    Files.writeString(dir.resolve("bundle.json"), BUNDLE);
    Files.writeString(dir.resolve("good.ndjson"), NDJSON);
    Files.writeString(dir.resolve("bad.ndjson"), BROKEN);
  }

  @AfterAll
  static void stop() {
    server.close();
    System.clearProperty("phylax.audit.checkpoint-poll");
  }

  @Test
  void importWhenRunTwiceThenNoDuplicatesAndABrokenLineIsNamedWhileTheGoodFileLoads() {
    String bundle = dir.resolve("bundle.json").toString();
    String good = dir.resolve("good.ndjson").toString();

    CliRun first = CliRun.run(env, "import", bundle, good);
    assertThat(first.status()).as(first.err()).isZero();
    Map<String, Integer> stored = rows();
    assertThat(stored)
        .containsEntry("Patient", 2)
        .containsEntry("Observation", 2)
        .containsEntry("Encounter", 1)
        .containsEntry("Organization", 1);
    assertThat(first.out()).containsPattern("Observation\\s+created\\s+2\\s+matched\\s+0");
    assertThat(first.out()).contains("resources/s");
    assertThat(first.err()).contains("import: bundle.json: 4 resources");

    RecordStore store = server.context().getBean(RecordStore.class);
    Permit system = server.context().getBean(SystemAccess.class).forTask("test");
    StoredResource ada =
        store.search(system, "Patient", SearchParameter.IDENTIFIER, "urn:test:mrn|M1").get(0);
    StoredResource pulse =
        store.search(system, "Observation", SearchParameter.CODE, "http://loinc.org|8867-4").get(0);
    assertThat(((Observation) pulse.resource()).getSubject().getReference())
        .isEqualTo("Patient/" + ada.id());
    assertThat(pulse.patientId()).isEqualTo(ada.id());

    CliRun second = CliRun.run(env, "import", bundle, good);
    assertThat(second.status()).as(second.err()).isZero();
    assertThat(rows()).isEqualTo(stored);
    assertThat(second.out()).containsPattern("Observation\\s+created\\s+0\\s+matched\\s+2");

    CliRun broken = CliRun.run(env, "import", dir.resolve("bad.ndjson").toString(), good);
    assertThat(broken.status()).isEqualTo(1);
    assertThat(broken.err()).contains("bad.ndjson: line 2: not a FHIR R4 JSON resource");
    assertThat(broken.err()).contains("import: good.ndjson: 2 resources (2 already stored)");
    assertThat(rows()).as("the broken file loads not at all").isEqualTo(stored);
  }

  private static Map<String, Integer> rows() {
    Map<String, Integer> counts = new HashMap<>();
    for (Map<String, Object> row :
        server
            .context()
            .getBean(JdbcTemplate.class)
            .queryForList(
                "select resource_type, count(*) n from record_resource group by resource_type")) {
      counts.put((String) row.get("resource_type"), ((Number) row.get("n")).intValue());
    }
    return counts;
  }
}
