package org.phylax.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.access.Permit;
import org.phylax.access.SystemAccess;
import org.phylax.identity.Accounts;
import org.phylax.identity.Actor;
import org.phylax.identity.NewAccount;
import org.phylax.identity.Role;
import org.phylax.oauth.OAuthClients;
import org.phylax.oauth.UserTokens;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.TestServers;
import org.phylax.records.RecordStore;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Transaction and batch bundles, conditional create, JSON Patch and {@code $everything} over real
 * HTTP with real bearer tokens: a Synthea-shaped load (a directory bundle of conditional creates,
 * loaded twice, then a patient bundle of {@code urn:uuid} and conditional references) by a backend
 * service; a transaction with one bad entry writing nothing; a batch whose good entries succeed; a
 * physician registering a patient with their first observation; patches with ETags; the record of
 * one patient for their physician and not for a stranger.
 */
class FhirBundleIntegrationTests {

  @TempDir static Path dir;
  static PhylaxServer server;
  static FhirHttp web;
  static JdbcTemplate jdbc;
  static final HttpClient http = HttpClient.newHttpClient();
  static final String PASSWORD = "violet-harbour-tractor-47";
  static final String FHIR_JSON = "application/fhir+json";
  static final String SYNTHEA = "https://github.com/synthetichealth/synthea";
  static final String NPI = "http://hl7.org/fhir/sid/us-npi";
  static String service;
  static String physician;
  static String stranger;
  static UUID doctor;
  static UUID patient;
  static UUID hidden;

  @BeforeAll
  static void start() throws Exception {
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    server = TestServers.dev(dir);
    web = new FhirHttp(server.baseUri(), "fhir-bundle-test");
    jdbc = server.context().getBean(JdbcTemplate.class);
    RecordStore store = server.context().getBean(RecordStore.class);
    Permit system = server.context().getBean(SystemAccess.class).forTask("test");
    doctor = store.create(system, practitioner("Quillfeather")).id();
    UUID other = store.create(system, practitioner("Brackenridge")).id();
    patient = store.create(system, patient("Thornbury", doctor)).id();
    hidden = store.create(system, patient("Fallowmere", null)).id();

    Accounts accounts = server.context().getBean(Accounts.class);
    UserTokens tokens = server.context().getBean(UserTokens.class);
    Actor admin = Actor.operator("tester");
    accounts.create(
        NewAccount.builder("dr-quill")
            .role(Role.PHYSICIAN)
            .practitioner(doctor)
            .password(PASSWORD)
            .build(),
        admin);
    accounts.create(
        NewAccount.builder("dr-bracken")
            .role(Role.PHYSICIAN)
            .practitioner(other)
            .password(PASSWORD)
            .build(),
        admin);
    physician = tokens.issue("dr-quill", Duration.ofMinutes(15), "tester").token();
    stranger = tokens.issue("dr-bracken", Duration.ofMinutes(15), "tester").token();
    OAuthClients.Registered loader =
        server
            .context()
            .getBean(OAuthClients.class)
            .addService("Synthetic loader", Set.of("system/*.read", "system/*.write"), "os:tester");
    service = serviceToken(loader);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    System.clearProperty("phylax.audit.checkpoint-poll");
  }

  @Test
  void transactionWhenSyntheaShapedThenLoadsOnceAndReferencesPointAtTheNewIds() throws Exception {
    String directory =
        bundle(
            "transaction",
            conditionalCreate(
                "urn:uuid:" + UUID.randomUUID(),
                "{\"resourceType\":\"Organization\",\"name\":\"Saltmarsh General\","
                    + "\"identifier\":[{\"system\":\""
                    + SYNTHEA
                    + "\",\"value\":\"org-saltmarsh-1\"}]}",
                "Organization",
                "identifier=" + SYNTHEA + "|org-saltmarsh-1"),
            conditionalCreate(
                "urn:uuid:" + UUID.randomUUID(),
                "{\"resourceType\":\"Practitioner\",\"name\":[{\"family\":\"Ravensworth\"}],"
                    + "\"identifier\":[{\"system\":\""
                    + NPI
                    + "\",\"value\":\"9990001112\"}]}",
                "Practitioner",
                "identifier=" + NPI + "|9990001112"));
    HttpResponse<String> first = send("POST", "/fhir", service, directory, Map.of());
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(statuses(json(first))).containsExactly("201 Created", "201 Created");
    long directoryRows = rows("Organization") + rows("Practitioner");

    // Loading the same directory bundle again creates nothing and answers the existing ones.
    HttpResponse<String> again = send("POST", "/fhir", service, directory, Map.of());
    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    assertThat(statuses(json(again))).containsExactly("200 OK", "200 OK");
    assertThat(locations(json(again))).isEqualTo(locations(json(first)));
    assertThat(rows("Organization") + rows("Practitioner")).isEqualTo(directoryRows);
    String organization = locations(json(first)).get(0).replaceAll("/_history/.*", "");
    String practitioner = locations(json(first)).get(1).replaceAll("/_history/.*", "");

    String patientUrl = "urn:uuid:" + UUID.randomUUID();
    String encounterUrl = "urn:uuid:" + UUID.randomUUID();
    String records =
        bundle(
            "transaction",
            create(
                patientUrl,
                "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Wrenfield\","
                    + "\"given\":[\"Odalys\"]}],\"birthDate\":\"1961-07-14\"}",
                "Patient"),
            create(
                encounterUrl,
                "{\"resourceType\":\"Encounter\",\"status\":\"finished\",\"class\":{\"code\":"
                    + "\"AMB\"},\"subject\":{\"reference\":\""
                    + patientUrl
                    + "\"},\"participant\":[{\"individual\":{\"reference\":\"Practitioner?identifier="
                    + NPI
                    + "|9990001112\"}}],\"serviceProvider\":{\"reference\":\"Organization?identifier="
                    + SYNTHEA
                    + "|org-saltmarsh-1\"},\"period\":{\"start\":\"2023-02-01T09:00:00Z\"}}",
                "Encounter"),
            create(
                "urn:uuid:" + UUID.randomUUID(),
                observationJson(patientUrl, encounterUrl, "8867-4", 64),
                "Observation"),
            create(
                "urn:uuid:" + UUID.randomUUID(),
                observationJson(patientUrl, encounterUrl, "8480-6", 128),
                "Observation"),
            create(
                "urn:uuid:" + UUID.randomUUID(),
                "{\"resourceType\":\"Condition\",\"code\":{\"coding\":[{\"system\":"
                    + "\"http://snomed.info/sct\",\"code\":\"44054006\"}]},\"subject\":"
                    + "{\"reference\":\""
                    + patientUrl
                    + "\"},\"encounter\":{\"reference\":\""
                    + encounterUrl
                    + "\"},\"onsetDateTime\":\"2023-02-01\"}",
                "Condition"));
    HttpResponse<String> loaded = send("POST", "/fhir", service, records, Map.of());
    assertThat(loaded.statusCode()).as(loaded.body()).isEqualTo(200);
    JsonObject response = json(loaded);
    assertThat(response.get("type").getAsString()).isEqualTo("transaction-response");
    assertThat(statuses(response)).hasSize(5).allMatch("201 Created"::equals);
    List<String> at = locations(response);
    String newPatient = at.get(0).replaceAll("/_history/.*", "");
    String encounter = at.get(1).replaceAll("/_history/.*", "");
    assertThat(newPatient).matches("Patient/[0-9a-f-]{36}");

    JsonObject storedEncounter = json(send("GET", "/fhir/" + encounter, service, null, Map.of()));
    assertThat(storedEncounter.getAsJsonObject("subject").get("reference").getAsString())
        .isEqualTo(newPatient);
    assertThat(
            storedEncounter
                .getAsJsonArray("participant")
                .get(0)
                .getAsJsonObject()
                .getAsJsonObject("individual")
                .get("reference")
                .getAsString())
        .isEqualTo(practitioner);
    assertThat(storedEncounter.getAsJsonObject("serviceProvider").get("reference").getAsString())
        .isEqualTo(organization);
    for (int i = 2; i < 5; i++) {
      JsonObject stored =
          json(
              send(
                  "GET",
                  "/fhir/" + at.get(i).replaceAll("/_history/.*", ""),
                  service,
                  null,
                  Map.of()));
      assertThat(stored.getAsJsonObject("subject").get("reference").getAsString())
          .isEqualTo(newPatient);
      assertThat(stored.getAsJsonObject("encounter").get("reference").getAsString())
          .isEqualTo(encounter);
    }
    assertThat(rows("Organization") + rows("Practitioner")).isEqualTo(directoryRows);
  }

  @Test
  void transactionWhenOneEntryIsInvalidThenNothingIsWrittenAndTheEntryIsNamed() throws Exception {
    long before = rows(null);
    String patientUrl = "urn:uuid:" + UUID.randomUUID();
    String body =
        bundle(
            "transaction",
            create(
                patientUrl,
                "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Ashcombe\"}]}",
                "Patient"),
            create(
                "urn:uuid:" + UUID.randomUUID(),
                observationJson(patientUrl, null, "8867-4", 70),
                "Observation"),
            create(
                "urn:uuid:" + UUID.randomUUID(),
                observationJson("Patient/" + UUID.randomUUID(), null, "8867-4", 71),
                "Observation"));
    HttpResponse<String> refused = send("POST", "/fhir", service, body, Map.of());
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
    assertThat(outcome(refused))
        .startsWith("Bundle.entry[2]: ")
        .contains("Observation.subject references no existing Patient")
        .doesNotContain("Ashcombe");
    assertThat(rows(null)).isEqualTo(before);

    // A reference to a fullUrl that no entry has is refused before anything is written.
    String dangling =
        bundle(
            "transaction",
            create(
                "urn:uuid:" + UUID.randomUUID(),
                observationJson("urn:uuid:" + UUID.randomUUID(), null, "8867-4", 72),
                "Observation"));
    HttpResponse<String> unknown = send("POST", "/fhir", service, dangling, Map.of());
    assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(400);
    assertThat(outcome(unknown)).startsWith("Bundle.entry[0]: ");
    assertThat(rows(null)).isEqualTo(before);
  }

  @Test
  void batchWhenOneEntryIsBadThenTheOthersSucceed() throws Exception {
    long before = rows("Observation");
    String body =
        bundle(
            "batch",
            create(null, observationJson("Patient/" + patient, null, "8867-4", 60), "Observation"),
            create(
                null,
                observationJson("Patient/" + UUID.randomUUID(), null, "8867-4", 61),
                "Observation"),
            create(null, observationJson("Patient/" + patient, null, "8867-4", 62), "Observation"));
    HttpResponse<String> response = send("POST", "/fhir", physician, body, Map.of());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonObject bundle = json(response);
    assertThat(bundle.get("type").getAsString()).isEqualTo("batch-response");
    assertThat(statuses(bundle)).containsExactly("201 Created", "403", "201 Created");
    JsonObject failed =
        bundle.getAsJsonArray("entry").get(1).getAsJsonObject().getAsJsonObject("response");
    assertThat(failed.getAsJsonObject("outcome").toString()).contains("Bundle.entry[1]");
    assertThat(rows("Observation")).isEqualTo(before + 2);
  }

  @Test
  void transactionWhenPhysicianRegistersAPatientWithTheirFirstObservationThenBothAreWritten()
      throws Exception {
    String patientUrl = "urn:uuid:" + UUID.randomUUID();
    String body =
        bundle(
            "transaction",
            create(
                patientUrl,
                "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Hollowell\"}],"
                    + "\"generalPractitioner\":[{\"reference\":\"Practitioner/"
                    + doctor
                    + "\"}]}",
                "Patient"),
            create(
                "urn:uuid:" + UUID.randomUUID(),
                observationJson(patientUrl, null, "8867-4", 66),
                "Observation"));
    HttpResponse<String> response = send("POST", "/fhir", physician, body, Map.of());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    String observation = locations(json(response)).get(1).replaceAll("/_history/.*", "");
    HttpResponse<String> read = send("GET", "/fhir/" + observation, physician, null, Map.of());
    assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
  }

  @Test
  void conditionalCreateWhenNoneOneOrManyMatchThenCreatesReturnsOrRefuses() throws Exception {
    String body =
        "{\"resourceType\":\"Practitioner\",\"name\":[{\"family\":\"Marlowe\"}],"
            + "\"identifier\":[{\"system\":\""
            + NPI
            + "\",\"value\":\"9990002223\"}]}";
    Map<String, String> condition =
        Map.of(
            "If-None-Exist",
            "identifier=" + URLEncoder.encode(NPI, StandardCharsets.UTF_8) + "|9990002223");
    HttpResponse<String> created = send("POST", "/fhir/Practitioner", service, body, condition);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String id = json(created).get("id").getAsString();
    HttpResponse<String> found = send("POST", "/fhir/Practitioner", service, body, condition);
    assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
    assertThat(json(found).get("id").getAsString()).isEqualTo(id);
    assertThat(send("POST", "/fhir/Practitioner", service, body, Map.of()).statusCode())
        .isEqualTo(201);
    HttpResponse<String> many = send("POST", "/fhir/Practitioner", service, body, condition);
    assertThat(many.statusCode()).as(many.body()).isEqualTo(412);
    assertThat(outcome(many)).contains("matches 2 resources");
    // Types without an identifier search refuse the condition rather than ignore it.
    HttpResponse<String> unsupported =
        send(
            "POST",
            "/fhir/Observation",
            physician,
            observationJson("Patient/" + patient, null, "8867-4", 70),
            Map.of("If-None-Exist", "identifier=abc"));
    assertThat(unsupported.statusCode()).as(unsupported.body()).isEqualTo(400);
  }

  @Test
  void patchWhenIfMatchIsCurrentThenReplacesAndWhenStaleOrMovingThePatientThenRefuses()
      throws Exception {
    HttpResponse<String> created =
        send(
            "POST",
            "/fhir/Observation",
            physician,
            observationJson("Patient/" + patient, null, "8867-4", 72),
            Map.of());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String id = json(created).get("id").getAsString();
    String replace = "[{\"op\":\"replace\",\"path\":\"/valueQuantity/value\",\"value\":88}]";
    HttpResponse<String> patched =
        patch("/fhir/Observation/" + id, physician, replace, Map.of("If-Match", "W/\"1\""));
    assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
    HttpResponse<String> afterPatch =
        send("GET", "/fhir/Observation/" + id, physician, null, Map.of());
    assertThat(afterPatch.headers().firstValue("ETag")).hasValue("W/\"2\"");
    JsonObject read = json(afterPatch);
    assertThat(read.getAsJsonObject("valueQuantity").get("value").getAsInt()).isEqualTo(88);

    HttpResponse<String> stale =
        patch("/fhir/Observation/" + id, physician, replace, Map.of("If-Match", "W/\"1\""));
    assertThat(stale.statusCode()).as(stale.body()).isEqualTo(412);

    String move =
        "[{\"op\":\"replace\",\"path\":\"/subject/reference\",\"value\":\"Patient/"
            + hidden
            + "\"}]";
    HttpResponse<String> moved = patch("/fhir/Observation/" + id, physician, move, Map.of());
    assertThat(moved.statusCode()).as(moved.body()).isEqualTo(422);
    JsonObject after = json(send("GET", "/fhir/Observation/" + id, physician, null, Map.of()));
    assertThat(after.getAsJsonObject("meta").get("versionId").getAsString()).isEqualTo("2");
  }

  @Test
  void everythingWhenRelatedThenThePatientsResourcesAndWhenUnrelatedThen403() throws Exception {
    HttpResponse<String> created =
        send(
            "POST",
            "/fhir/Observation",
            physician,
            observationJson("Patient/" + patient, null, "8310-5", 37),
            Map.of());
    String observation = json(created).get("id").getAsString();
    HttpResponse<String> everything =
        send("GET", "/fhir/Patient/" + patient + "/$everything", physician, null, Map.of());
    assertThat(everything.statusCode()).as(everything.body()).isEqualTo(200);
    JsonObject bundle = json(everything);
    assertThat(bundle.get("type").getAsString()).isEqualTo("searchset");
    List<String> ids = new ArrayList<>();
    for (JsonElement e : bundle.getAsJsonArray("entry")) {
      JsonObject resource = e.getAsJsonObject().getAsJsonObject("resource");
      ids.add(resource.get("resourceType").getAsString() + "/" + resource.get("id").getAsString());
      if (resource.has("subject")) {
        assertThat(resource.getAsJsonObject("subject").get("reference").getAsString())
            .isEqualTo("Patient/" + patient);
      }
    }
    assertThat(ids.get(0)).isEqualTo("Patient/" + patient);
    assertThat(ids).contains("Observation/" + observation).doesNotContain("Patient/" + hidden);
    assertThat(bundle.get("total").getAsInt()).isEqualTo(ids.size());

    HttpResponse<String> paged =
        send(
            "GET", "/fhir/Patient/" + patient + "/$everything?_count=1", physician, null, Map.of());
    assertThat(json(paged).getAsJsonArray("entry")).hasSize(1);

    HttpResponse<String> refused =
        send("GET", "/fhir/Patient/" + patient + "/$everything", stranger, null, Map.of());
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
  }

  @Test
  void transactionWhenOverTheEntryLimitThenRefusedAndNothingWritten() throws Exception {
    long before = rows(null);
    String[] entries = new String[5_001];
    for (int i = 0; i < entries.length; i++) {
      entries[i] =
          create(
              null,
              "{\"resourceType\":\"Organization\",\"name\":\"Org " + i + "\"}",
              "Organization");
    }
    HttpResponse<String> refused =
        send("POST", "/fhir", service, bundle("transaction", entries), Map.of());
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(413);
    assertThat(outcome(refused)).contains("at most 5000 entries");
    assertThat(rows(null)).isEqualTo(before);

    HttpResponse<String> notABundle =
        send(
            "POST",
            "/fhir",
            service,
            "{\"resourceType\":\"Bundle\",\"type\":\"collection\"}",
            Map.of());
    assertThat(notABundle.statusCode()).as(notABundle.body()).isEqualTo(400);
  }

  @Test
  void metadataWhenAskedThenTransactionBatchPatchEverythingAndConditionalCreateAreListed()
      throws Exception {
    JsonObject statement = json(send("GET", "/fhir/metadata", null, null, Map.of()));
    JsonObject rest = statement.getAsJsonArray("rest").get(0).getAsJsonObject();
    assertThat(rest.getAsJsonArray("interaction").toString())
        .contains("\"transaction\"")
        .contains("\"batch\"");
    String resources = rest.getAsJsonArray("resource").toString();
    assertThat(resources).contains("\"patch\"").contains("everything");
    for (JsonElement r : rest.getAsJsonArray("resource")) {
      JsonObject resource = r.getAsJsonObject();
      String type = resource.get("type").getAsString();
      if (type.equals("Practitioner") || type.equals("Observation")) {
        assertThat(resource.get("conditionalCreate").getAsBoolean())
            .isEqualTo(type.equals("Practitioner"));
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  static String bundle(String type, String... entries) {
    return "{\"resourceType\":\"Bundle\",\"type\":\""
        + type
        + "\",\"entry\":["
        + String.join(",", entries)
        + "]}";
  }

  static String create(String fullUrl, String resource, String type) {
    return "{"
        + (fullUrl == null ? "" : "\"fullUrl\":\"" + fullUrl + "\",")
        + "\"resource\":"
        + resource
        + ",\"request\":{\"method\":\"POST\",\"url\":\""
        + type
        + "\"}}";
  }

  static String conditionalCreate(String fullUrl, String resource, String type, String condition) {
    return create(fullUrl, resource, type)
        .replace(
            "\"url\":\"" + type + "\"}",
            "\"url\":\"" + type + "\",\"ifNoneExist\":\"" + condition + "\"}");
  }

  static String observationJson(String subject, String encounter, String loinc, int value) {
    return "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":[{"
        + "\"system\":\"http://loinc.org\",\"code\":\""
        + loinc
        + "\"}]},\"subject\":{\"reference\":\""
        + subject
        + "\"},"
        + (encounter == null ? "" : "\"encounter\":{\"reference\":\"" + encounter + "\"},")
        + "\"effectiveDateTime\":\"2023-02-01\",\"valueQuantity\":{\"value\":"
        + value
        + ",\"unit\":\"/min\"}}";
  }

  static long rows(String type) {
    return type == null
        ? jdbc.queryForObject("select count(*) from record_resource", Long.class)
        : jdbc.queryForObject(
            "select count(*) from record_resource where resource_type = ?", Long.class, type);
  }

  static List<String> statuses(JsonObject bundle) {
    List<String> out = new ArrayList<>();
    for (JsonElement e : bundle.getAsJsonArray("entry")) {
      out.add(e.getAsJsonObject().getAsJsonObject("response").get("status").getAsString());
    }
    return out;
  }

  static List<String> locations(JsonObject bundle) {
    List<String> out = new ArrayList<>();
    for (JsonElement e : bundle.getAsJsonArray("entry")) {
      out.add(e.getAsJsonObject().getAsJsonObject("response").get("location").getAsString());
    }
    return out;
  }

  static HttpResponse<String> patch(
      String path, String token, String body, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(server.baseUri().resolve(path))
            .method("PATCH", HttpRequest.BodyPublishers.ofString(body))
            .header("Accept", FHIR_JSON)
            .header("Content-Type", "application/json-patch+json")
            .header("Authorization", "Bearer " + token);
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> send(
      String method, String path, String token, String body, Map<String, String> headers)
      throws Exception {
    return web.send(method, path, token, body, headers);
  }

  static String serviceToken(OAuthClients.Registered client) throws Exception {
    return web.serviceToken(client, "system/*.read system/*.write");
  }

  static Patient patient(String family, UUID practitioner) {
    Patient p = new Patient();
    p.addName().setFamily(family);
    if (practitioner != null) {
      p.addGeneralPractitioner(new Reference("Practitioner/" + practitioner));
    }
    return p;
  }

  static Practitioner practitioner(String family) {
    Practitioner p = new Practitioner();
    p.addName().setFamily(family);
    return p;
  }

  static JsonObject json(HttpResponse<String> response) {
    return FhirHttp.json(response);
  }

  static String outcome(HttpResponse<String> response) {
    return FhirHttp.outcome(response);
  }
}
