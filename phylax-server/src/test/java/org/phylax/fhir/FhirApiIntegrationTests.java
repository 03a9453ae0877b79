package org.phylax.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.phylax.oauth.UserTokens;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.TestServers;
import org.phylax.records.RecordStore;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The FHIR API over real HTTP with real bearer tokens: the CapabilityStatement without a token; a
 * physician's whole round of an Observation of their patient (create, read, vread, update with and
 * without a current ETag, delete, history); an unrelated physician refused and audited; a name
 * search that sees only the caller's patients, with totals and pages; and the errors.
 */
class FhirApiIntegrationTests {

  @TempDir static Path dir;
  static PhylaxServer server;
  static FhirHttp web;
  static JdbcTemplate jdbc;
  static final HttpClient http = HttpClient.newHttpClient();
  static final String PASSWORD = "violet-harbour-tractor-47";
  static final String FHIR_JSON = "application/fhir+json";
  static String physician;
  static String stranger;
  static UUID strangerAccount;
  static UUID patient;
  static final List<UUID> ashgroves = new ArrayList<>();
  static UUID hidden;
  static UUID othersPatient;
  static UUID physicianAccount;
  static String frontDesk;
  static RecordStore store;
  static Permit system;

  @BeforeAll
  static void start() {
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    server = TestServers.dev(dir);
    web = new FhirHttp(server.baseUri(), "fhir-test");
    jdbc = server.context().getBean(JdbcTemplate.class);
    store = server.context().getBean(RecordStore.class);
    system = server.context().getBean(SystemAccess.class).forTask("test");
    UUID doctor = store.create(system, practitioner("Oakhart")).id();
    UUID other = store.create(system, practitioner("Elmsworth")).id();
    for (int i = 0; i < 3; i++) {
      ashgroves.add(store.create(system, patient("Ashgrove", "Synthia", doctor)).id());
    }
    patient = ashgroves.get(0);
    hidden = store.create(system, patient("Ashgrove", "Tamsin", null)).id();
    othersPatient = store.create(system, patient("Ashgrove", "Wendeline", other)).id();

    Accounts accounts = server.context().getBean(Accounts.class);
    UserTokens tokens = server.context().getBean(UserTokens.class);
    Actor admin = Actor.operator("tester");
    physicianAccount =
        accounts
            .create(
                NewAccount.builder("dr-oakhart")
                    .role(Role.PHYSICIAN)
                    .practitioner(doctor)
                    .password(PASSWORD)
                    .build(),
                admin)
            .id();
    accounts.create(
        NewAccount.builder("desk-quillby").role(Role.FRONT_DESK).password(PASSWORD).build(), admin);
    strangerAccount =
        accounts
            .create(
                NewAccount.builder("dr-elmsworth")
                    .role(Role.PHYSICIAN)
                    .practitioner(other)
                    .password(PASSWORD)
                    .build(),
                admin)
            .id();
    physician = tokens.issue("dr-oakhart", Duration.ofMinutes(15), "tester").token();
    stranger = tokens.issue("dr-elmsworth", Duration.ofMinutes(15), "tester").token();
    frontDesk = tokens.issue("desk-quillby", Duration.ofMinutes(15), "tester").token();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    System.clearProperty("phylax.audit.checkpoint-poll");
  }

  @Test
  void metadataWhenNoTokenThenCapabilityStatementListsTypesInteractionsAndSearchParameters()
      throws Exception {
    HttpResponse<String> response = send("GET", "/fhir/metadata", null, null, Map.of());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith(FHIR_JSON));
    JsonObject statement = json(response);
    assertThat(statement.get("resourceType").getAsString()).isEqualTo("CapabilityStatement");
    JsonObject rest = statement.getAsJsonArray("rest").get(0).getAsJsonObject();
    List<String> types = new ArrayList<>();
    for (JsonElement r : rest.getAsJsonArray("resource")) {
      types.add(r.getAsJsonObject().get("type").getAsString());
    }
    assertThat(types)
        .contains(
            "Patient",
            "Observation",
            "Condition",
            "Immunization",
            "CareTeam",
            "Consent",
            "Coverage",
            "Practitioner",
            "Organization")
        .doesNotContain("Basic");
    JsonObject observation = resource(rest, "Observation");
    assertThat(codes(observation.getAsJsonArray("interaction"), "code"))
        .contains(
            "read",
            "vread",
            "create",
            "update",
            "delete",
            "history-instance",
            "history-type",
            "search-type");
    assertThat(codes(rest.getAsJsonArray("interaction"), "code"))
        .contains("transaction", "batch", "history-system");
    assertThat(codes(observation.getAsJsonArray("searchParam"), "name"))
        .contains("_id", "code", "date", "patient", "subject");
    assertThat(observation.get("versioning").getAsString()).isEqualTo("versioned-update");
    assertThat(codes(resource(rest, "Patient").getAsJsonArray("searchParam"), "name"))
        .contains("family", "given", "birthdate", "identifier");
    assertThat(rest.getAsJsonObject("security").toString()).contains("SMART-on-FHIR");

    // Everything else still needs a token: 401 with an OperationOutcome.
    HttpResponse<String> noToken = send("GET", "/fhir/Patient/" + patient, null, null, Map.of());
    assertThat(noToken.statusCode()).isEqualTo(401);
    assertThat(json(noToken).get("resourceType").getAsString()).isEqualTo("OperationOutcome");
  }

  @Test
  void requestIdWhenFhirRequestThenOneHeaderTheSameIdAsTheRequestLogAndTheAuditEvent()
      throws Exception {
    String offered = "test-request-" + UUID.randomUUID();
    HttpResponse<String> read =
        send("GET", "/fhir/Patient/" + patient, physician, null, Map.of("X-Request-Id", offered));
    assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
    assertThat(read.headers().allValues("X-Request-Id")).containsExactly(offered);
    assertThat(
            jdbc.queryForObject(
                "select count(*) from audit_event where request_id = ? and action = 'READ'",
                Long.class,
                offered))
        .isEqualTo(1);
    HttpResponse<String> fresh = send("GET", "/fhir/Patient/" + patient, physician, null, Map.of());
    assertThat(fresh.headers().allValues("X-Request-Id")).hasSize(1);
    assertThat(fresh.headers().firstValue("X-Request-Id").orElseThrow()).matches("[0-9a-f-]{36}");
  }

  @Test
  void observationWhenPhysicianIsAssignedThenCreateReadVreadUpdateDeleteAndHistory()
      throws Exception {
    HttpResponse<String> created =
        send("POST", "/fhir/Observation", physician, observation("8867-4", 72), Map.of());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String location = created.headers().firstValue("Location").orElseThrow();
    assertThat(location).matches(".*/fhir/Observation/[0-9a-f-]{36}/_history/1");
    String id = location.replaceAll(".*/Observation/([0-9a-f-]{36})/.*", "$1");
    assertThat(created.headers().firstValue("ETag")).hasValue("W/\"1\"");
    assertThat(json(created).get("id").getAsString()).isEqualTo(id);

    HttpResponse<String> read = send("GET", "/fhir/Observation/" + id, physician, null, Map.of());
    assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
    assertThat(read.headers().firstValue("ETag")).hasValue("W/\"1\"");
    assertThat(read.body()).contains("8867-4").contains("Patient/" + patient);

    // Update with the current ETag, then a stale one: 412 and nothing written.
    String changed = observation("8867-4", 80).replace("{", "{\"id\":\"" + id + "\",");
    HttpResponse<String> updated =
        send("PUT", "/fhir/Observation/" + id, physician, changed, Map.of("If-Match", "W/\"1\""));
    assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
    assertThat(updated.headers().firstValue("ETag")).hasValue("W/\"2\"");
    HttpResponse<String> stale =
        send("PUT", "/fhir/Observation/" + id, physician, changed, Map.of("If-Match", "W/\"1\""));
    assertThat(stale.statusCode()).as(stale.body()).isEqualTo(412);
    assertThat(outcome(stale)).contains("version 2 is current");
    // Without If-Match the update applies to the current version.
    HttpResponse<String> blind =
        send("PUT", "/fhir/Observation/" + id, physician, changed, Map.of());
    assertThat(blind.statusCode()).as(blind.body()).isEqualTo(200);
    assertThat(blind.headers().firstValue("ETag")).hasValue("W/\"3\"");
    // Concurrent updates without If-Match: each is written over whatever is current when it
    // holds the row, none is refused, and every one gets a version of its own.
    String raced =
        json(send("POST", "/fhir/Observation", physician, observation("8867-4", 60), Map.of()))
            .get("id")
            .getAsString();
    String racedBody = observation("8867-4", 61).replace("{", "{\"id\":\"" + raced + "\",");
    java.util.concurrent.ExecutorService writers =
        java.util.concurrent.Executors.newFixedThreadPool(6);
    try {
      List<java.util.concurrent.Future<HttpResponse<String>>> racing = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        racing.add(
            writers.submit(
                () -> send("PUT", "/fhir/Observation/" + raced, physician, racedBody, Map.of())));
      }
      java.util.Set<String> etags = new java.util.HashSet<>();
      for (var f : racing) {
        HttpResponse<String> r = f.get();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        etags.add(r.headers().firstValue("ETag").orElseThrow());
      }
      assertThat(etags).hasSize(24);
    } finally {
      writers.shutdown();
    }
    HttpResponse<String> last =
        send("GET", "/fhir/Observation/" + raced, physician, null, Map.of());
    assertThat(last.headers().firstValue("ETag")).hasValue("W/\"25\"");

    HttpResponse<String> v1 =
        send("GET", "/fhir/Observation/" + id + "/_history/1", physician, null, Map.of());
    assertThat(v1.statusCode()).isEqualTo(200);
    assertThat(json(v1).getAsJsonObject("valueQuantity").get("value").getAsInt()).isEqualTo(72);

    HttpResponse<String> deleted =
        send("DELETE", "/fhir/Observation/" + id, physician, null, Map.of());
    assertThat(deleted.statusCode()).as(deleted.body()).isIn(200, 204);
    HttpResponse<String> gone = send("GET", "/fhir/Observation/" + id, physician, null, Map.of());
    assertThat(gone.statusCode()).as(gone.body()).isEqualTo(410);
    assertThat(json(gone).get("resourceType").getAsString()).isEqualTo("OperationOutcome");

    HttpResponse<String> history =
        send("GET", "/fhir/Observation/" + id + "/_history", physician, null, Map.of());
    assertThat(history.statusCode()).as(history.body()).isEqualTo(200);
    JsonObject bundle = json(history);
    assertThat(bundle.get("type").getAsString()).isEqualTo("history");
    assertThat(bundle.getAsJsonArray("entry")).hasSize(4);
    JsonObject newest = bundle.getAsJsonArray("entry").get(0).getAsJsonObject();
    assertThat(newest.getAsJsonObject("request").get("method").getAsString()).isEqualTo("DELETE");

    // Each of these was audited as the physician's, with the patient.
    assertThat(
            jdbc.queryForObject(
                "select count(*) from audit_event where patient_id = ? and outcome = 'PERMIT'"
                    + " and outcome_reason = 'ASSIGNED' and entity_type = 'Observation'"
                    + " and action in ('CREATE', 'READ', 'UPDATE', 'DELETE')",
                Long.class,
                patient))
        .isGreaterThanOrEqualTo(9);
  }

  @Test
  void historyWhenTypeOrSystemThenOnlyVersionsOfPatientsTheCallerSeesNewestFirstPagedAndAudited()
      throws Exception {
    Instant since = Instant.now();
    String since2 = URLEncoder.encode(since.toString(), StandardCharsets.UTF_8);
    // Two Observations of the physician's patient: one updated, one deleted (four versions) ...
    String kept =
        json(send("POST", "/fhir/Observation", physician, observation("29463-7", 70), Map.of()))
            .get("id")
            .getAsString();
    String update = observation("29463-7", 71).replace("{", "{\"id\":\"" + kept + "\",");
    assertThat(send("PUT", "/fhir/Observation/" + kept, physician, update, Map.of()).statusCode())
        .isEqualTo(200);
    String dropped =
        json(send("POST", "/fhir/Observation", physician, observation("29463-7", 90), Map.of()))
            .get("id")
            .getAsString();
    assertThat(
            send("DELETE", "/fhir/Observation/" + dropped, physician, null, Map.of()).statusCode())
        .isEqualTo(200);
    // ... one of another physician's patient, and a Practitioner and a catalog Medication (of no
    // patient; the front desk may read the one and not the other).
    org.hl7.fhir.r4.model.Observation theirs = new org.hl7.fhir.r4.model.Observation();
    theirs.setStatus(org.hl7.fhir.r4.model.Observation.ObservationStatus.FINAL);
    theirs.getCode().setText("weight");
    theirs.setSubject(new Reference("Patient/" + othersPatient));
    String othersObservation = store.create(system, theirs).id().toString();
    String directory = store.create(system, practitioner("Birchwell")).id().toString();
    org.hl7.fhir.r4.model.Medication medication = new org.hl7.fhir.r4.model.Medication();
    medication.getCode().setText("tablets");
    String catalog = store.create(system, medication).id().toString();

    HttpResponse<String> typeHistory =
        send("GET", "/fhir/Observation/_history?_since=" + since2, physician, null, Map.of());
    assertThat(typeHistory.statusCode()).as(typeHistory.body()).isEqualTo(200);
    JsonObject bundle = json(typeHistory);
    assertThat(bundle.get("type").getAsString()).isEqualTo("history");
    assertThat(bundle.get("total").getAsInt()).isEqualTo(4);
    assertThat(entries(bundle))
        .containsExactly(
            "DELETE Observation/" + dropped + " 200 OK W/\"2\" -",
            "POST Observation 201 Created W/\"1\" " + dropped,
            "PUT Observation/" + kept + " 200 OK W/\"2\" " + kept,
            "POST Observation 201 Created W/\"1\" " + kept);

    // Paged by _count: the next link carries _since and the offset.
    JsonObject first =
        json(
            send(
                "GET",
                "/fhir/Observation/_history?_count=3&_since=" + since2,
                physician,
                null,
                Map.of()));
    assertThat(first.getAsJsonArray("entry")).hasSize(3);
    assertThat(first.get("total").getAsInt()).isEqualTo(4);
    JsonObject second = json(send("GET", link(first, "next"), physician, null, Map.of()));
    assertThat(entries(second)).containsExactly("POST Observation 201 Created W/\"1\" " + kept);
    assertThat(link(second, "next")).isNull();

    // The other physician sees their patient's Observation and none of these.
    JsonObject others =
        json(send("GET", "/fhir/Observation/_history?_since=" + since2, stranger, null, Map.of()));
    assertThat(entries(others))
        .containsExactly("POST Observation 201 Created W/\"1\" " + othersObservation);

    // System history: the same four versions and those of no patient, not the other patient's.
    JsonObject all =
        json(send("GET", "/fhir/_history?_since=" + since2, physician, null, Map.of()));
    assertThat(all.get("type").getAsString()).isEqualTo("history");
    assertThat(entries(all))
        .containsExactly(
            "POST Medication 201 Created W/\"1\" " + catalog,
            "POST Practitioner 201 Created W/\"1\" " + directory,
            "DELETE Observation/" + dropped + " 200 OK W/\"2\" -",
            "POST Observation 201 Created W/\"1\" " + dropped,
            "PUT Observation/" + kept + " 200 OK W/\"2\" " + kept,
            "POST Observation 201 Created W/\"1\" " + kept);

    // The front desk may not read clinical types: no Observation in its type history, and its
    // system history has the Practitioner only.
    JsonObject desk =
        json(send("GET", "/fhir/Observation/_history?_since=" + since2, frontDesk, null, Map.of()));
    assertThat(desk.get("total").getAsInt()).isZero();
    JsonObject deskAll =
        json(send("GET", "/fhir/_history?_since=" + since2, frontDesk, null, Map.of()));
    assertThat(entries(deskAll))
        .containsExactly("POST Practitioner 201 Created W/\"1\" " + directory);

    // A later _since leaves the earlier versions out.
    HttpResponse<String> none =
        send(
            "GET",
            "/fhir/Observation/_history?_since=" + Instant.now().plusSeconds(60),
            physician,
            null,
            Map.of());
    assertThat(json(none).get("total").getAsInt()).isZero();
    HttpResponse<String> badSince =
        send("GET", "/fhir/_history?_since=yesterday", physician, null, Map.of());
    assertThat(badSince.statusCode()).isEqualTo(400);
    assertThat(outcome(badSince)).contains("_since").doesNotContain("yesterday");

    // Each page disclosed the physician's patient, audited as the physician's search; the other
    // physician's patient was disclosed to them only.
    assertThat(
            jdbc.queryForObject(
                "select count(*) from audit_event where action = 'SEARCH' and patient_id = ?"
                    + " and actor_user = ? and entity_type = 'Observation' and occurred_at >= ?",
                Long.class,
                patient,
                physicianAccount.toString(),
                java.sql.Timestamp.from(since)))
        .isEqualTo(4);
    assertThat(
            jdbc.queryForObject(
                "select count(*) from audit_event where action = 'SEARCH' and patient_id = ?"
                    + " and actor_user = ?",
                Long.class,
                othersPatient,
                physicianAccount.toString()))
        .isZero();
  }

  @Test
  void patchWhenAppliedThenETagAndLastModifiedOfTheNewVersionAsReadAndUpdateGiveThem()
      throws Exception {
    HttpResponse<String> created =
        send("POST", "/fhir/Observation", physician, observation("9279-1", 16), Map.of());
    String id = json(created).get("id").getAsString();
    HttpResponse<String> patched =
        http.send(
            HttpRequest.newBuilder(server.baseUri().resolve("/fhir/Observation/" + id))
                .method(
                    "PATCH",
                    HttpRequest.BodyPublishers.ofString(
                        "[{\"op\":\"replace\",\"path\":\"/valueQuantity/value\",\"value\":18}]"))
                .header("Accept", FHIR_JSON)
                .header("Content-Type", "application/json-patch+json")
                .header("If-Match", "W/\"1\"")
                .header("Authorization", "Bearer " + physician)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
    assertThat(patched.headers().allValues("ETag")).containsExactly("W/\"2\"");
    HttpResponse<String> read = send("GET", "/fhir/Observation/" + id, physician, null, Map.of());
    String lastUpdated = json(read).getAsJsonObject("meta").get("lastUpdated").getAsString();
    Instant written = Instant.parse(lastUpdated);
    // HTTP dates have whole seconds.
    assertThat(lastModified(patched)).isEqualTo(written.truncatedTo(ChronoUnit.SECONDS));
    assertThat(lastModified(read)).isEqualTo(written.truncatedTo(ChronoUnit.SECONDS));
    assertThat(lastModified(created)).isBeforeOrEqualTo(lastModified(read));
  }

  static Instant lastModified(HttpResponse<String> response) {
    String value = response.headers().firstValue("Last-Modified").orElseThrow();
    return ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
  }

  @Test
  void readWhenPhysicianHasNoRelationshipThen403OperationOutcomeAndTheDenialIsAudited()
      throws Exception {
    HttpResponse<String> created =
        send("POST", "/fhir/Observation", physician, observation("8310-5", 37), Map.of());
    String id = json(created).get("id").getAsString();

    HttpResponse<String> refused = send("GET", "/fhir/Observation/" + id, stranger, null, Map.of());
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
    assertThat(outcome(refused)).contains("NO_RELATIONSHIP").doesNotContain("8310-5");
    HttpResponse<String> write =
        send("POST", "/fhir/Observation", stranger, observation("8310-5", 39), Map.of());
    assertThat(write.statusCode()).isEqualTo(403);
    // A search in that patient's record: theirs answers, the stranger's is refused.
    HttpResponse<String> mine =
        send(
            "GET",
            "/fhir/Observation?patient=Patient/" + patient + "&code=http://loinc.org%7C8310-5",
            physician,
            null,
            Map.of());
    assertThat(mine.statusCode()).as(mine.body()).isEqualTo(200);
    assertThat(ids(json(mine))).contains(id);
    HttpResponse<String> theirs =
        send(
            "GET",
            "/fhir/Observation?patient=" + patient + "&code=8310-5",
            stranger,
            null,
            Map.of());
    assertThat(theirs.statusCode()).as(theirs.body()).isEqualTo(403);
    assertThat(
            jdbc.queryForObject(
                "select count(*) from audit_event where actor_user = ? and outcome = 'DENY'"
                    + " and outcome_reason = 'NO_RELATIONSHIP' and patient_id = ?"
                    + " and entity_type = 'Observation' and action in ('READ', 'CREATE')",
                Long.class,
                strangerAccount.toString(),
                patient))
        .isEqualTo(2);
    assertThat(
            jdbc.queryForObject(
                "select count(*) from audit_event where actor_user = ? and outcome = 'DENY'"
                    + " and action = 'SEARCH' and patient_id = ?",
                Long.class,
                strangerAccount.toString(),
                patient))
        .isEqualTo(1);
  }

  @Test
  void searchByFamilyWhenSomeArePatientsOfOthersThenOnlyVisibleOnesCountedAndPaged()
      throws Exception {
    HttpResponse<String> all =
        send("GET", "/fhir/Patient?family=ASHGROVE", physician, null, Map.of());
    assertThat(all.statusCode()).as(all.body()).isEqualTo(200);
    JsonObject bundle = json(all);
    assertThat(bundle.get("total").getAsInt()).isEqualTo(3);
    assertThat(ids(bundle)).containsExactlyInAnyOrderElementsOf(strings(ashgroves));

    HttpResponse<String> first =
        send("GET", "/fhir/Patient?family=ashgrove&_count=2", physician, null, Map.of());
    JsonObject page1 = json(first);
    assertThat(page1.get("total").getAsInt()).isEqualTo(3);
    assertThat(page1.getAsJsonArray("entry")).hasSize(2);
    String next = link(page1, "next");
    assertThat(next).contains("_offset=2");
    JsonObject page2 = json(send("GET", next, physician, null, Map.of()));
    assertThat(page2.get("total").getAsInt()).isEqualTo(3);
    assertThat(page2.getAsJsonArray("entry")).hasSize(1);
    assertThat(link(page2, "next")).isNull();
    List<String> paged = new ArrayList<>(ids(page1));
    paged.addAll(ids(page2));
    assertThat(paged).containsExactlyInAnyOrderElementsOf(strings(ashgroves));

    // The unrelated physician finds none of them; _id of a patient not theirs finds nothing.
    JsonObject none = json(send("GET", "/fhir/Patient?family=Ashgrove", stranger, null, Map.of()));
    assertThat(none.get("total").getAsInt()).isEqualTo(1);
    JsonObject byId =
        json(send("GET", "/fhir/Patient?_id=" + hidden + "," + patient, physician, null, Map.of()));
    assertThat(ids(byId)).containsExactly(patient.toString());

    // Each patient on a page is a disclosure of its own.
    assertThat(
            jdbc.queryForObject(
                "select count(*) from audit_event where action = 'SEARCH' and patient_id = ?",
                Long.class,
                hidden))
        .isZero();
  }

  @Test
  void patientWhenCreatedByAPhysicianThenRegisteredAnd201() throws Exception {
    HttpResponse<String> created =
        send(
            "POST",
            "/fhir/Patient",
            physician,
            "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Brightwater\"}]}",
            Map.of());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(
            jdbc.queryForObject(
                "select count(*) from audit_event where action = 'CREATE'"
                    + " and outcome_reason = 'REGISTRATION' and entity_type = 'Patient'",
                Long.class))
        .isEqualTo(1);
  }

  @Test
  void errorsWhenRequestIsWrongThenOperationOutcomeNamingWhatWithoutEchoingValues()
      throws Exception {
    HttpResponse<String> malformed =
        send(
            "POST",
            "/fhir/Observation",
            physician,
            "{\"resourceType\": \"Observation\",\n \"status\": Quixotry}",
            Map.of());
    assertThat(malformed.statusCode()).as(malformed.body()).isEqualTo(400);
    assertThat(outcome(malformed)).contains("line 2").doesNotContain("Quixotry");

    HttpResponse<String> badValue =
        send(
            "POST",
            "/fhir/Patient",
            physician,
            "{\"resourceType\":\"Patient\",\"birthDate\":\"Zanzibarine\"}",
            Map.of());
    assertThat(badValue.statusCode()).as(badValue.body()).isEqualTo(400);
    assertThat(outcome(badValue)).contains("invalid value").doesNotContain("Zanzibarine");

    HttpResponse<String> unknownElement =
        send(
            "POST",
            "/fhir/Patient",
            physician,
            "{\"resourceType\":\"Patient\",\"nickname\":\"Zanzibarine\"}",
            Map.of());
    assertThat(unknownElement.statusCode()).isEqualTo(400);
    assertThat(outcome(unknownElement)).contains("nickname").doesNotContain("Zanzibarine");

    HttpResponse<String> wrongType =
        send("POST", "/fhir/Observation", physician, "{\"resourceType\":\"Patient\"}", Map.of());
    assertThat(wrongType.statusCode()).isEqualTo(400);
    assertThat(outcome(wrongType)).contains("not the type this URL takes");

    HttpResponse<String> noSubject =
        send(
            "POST",
            "/fhir/Observation",
            physician,
            "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"x\"}}",
            Map.of());
    assertThat(noSubject.statusCode()).isEqualTo(422);
    assertThat(outcome(noSubject)).contains("Observation.subject");

    HttpResponse<String> unknownType = send("GET", "/fhir/Basic/1", physician, null, Map.of());
    assertThat(unknownType.statusCode()).isEqualTo(404);
    assertThat(json(unknownType).get("resourceType").getAsString()).isEqualTo("OperationOutcome");

    HttpResponse<String> unknownId =
        send("GET", "/fhir/Observation/" + UUID.randomUUID(), physician, null, Map.of());
    assertThat(unknownId.statusCode()).isEqualTo(404);

    HttpResponse<String> badParam =
        send("GET", "/fhir/Patient?nickname=Zanzibarine", physician, null, Map.of());
    assertThat(badParam.statusCode()).isEqualTo(400);
    assertThat(outcome(badParam)).contains("nickname").doesNotContain("Zanzibarine");

    String huge =
        "{\"resourceType\":\"Patient\",\"name\":[{\"text\":\""
            + "x".repeat(11 * 1024 * 1024)
            + "\"}]}";
    HttpResponse<String> oversize = send("POST", "/fhir/Patient", physician, huge, Map.of());
    assertThat(oversize.statusCode()).isEqualTo(413);
    assertThat(json(oversize).get("resourceType").getAsString()).isEqualTo("OperationOutcome");

    HttpResponse<String> badToken =
        send("GET", "/fhir/Patient/" + patient, "not-a-token", null, Map.of());
    assertThat(badToken.statusCode()).isEqualTo(401);
    assertThat(json(badToken).get("resourceType").getAsString()).isEqualTo("OperationOutcome");
  }

  // ------------------------------------------------------------------ helpers

  static HttpResponse<String> send(
      String method, String path, String token, String body, Map<String, String> headers)
      throws Exception {
    return web.send(method, path, token, body, headers);
  }

  static String observation(String loinc, int value) {
    return "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":[{"
        + "\"system\":\"http://loinc.org\",\"code\":\""
        + loinc
        + "\"}]},\"subject\":{\"reference\":\"Patient/"
        + patient
        + "\"},\"effectiveDateTime\":\"2024-03-05\",\"valueQuantity\":{\"value\":"
        + value
        + ",\"unit\":\"/min\"}}";
  }

  static Patient patient(String family, String given, UUID practitioner) {
    Patient p = new Patient();
    p.addName().setFamily(family).addGiven(given);
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

  static JsonObject resource(JsonObject rest, String type) {
    for (JsonElement r : rest.getAsJsonArray("resource")) {
      if (r.getAsJsonObject().get("type").getAsString().equals(type)) {
        return r.getAsJsonObject();
      }
    }
    throw new AssertionError(type + " not in the CapabilityStatement");
  }

  static List<String> codes(JsonArray array, String field) {
    List<String> out = new ArrayList<>();
    for (JsonElement e : array) {
      out.add(e.getAsJsonObject().get(field).getAsString());
    }
    return out;
  }

  static List<String> ids(JsonObject bundle) {
    List<String> out = new ArrayList<>();
    if (bundle.has("entry")) {
      for (JsonElement e : bundle.getAsJsonArray("entry")) {
        out.add(e.getAsJsonObject().getAsJsonObject("resource").get("id").getAsString());
      }
    }
    return out;
  }

  /** Each entry as "method url status etag id-of-resource" ("-" when it carries none). */
  static List<String> entries(JsonObject bundle) {
    List<String> out = new ArrayList<>();
    if (bundle.has("entry")) {
      for (JsonElement e : bundle.getAsJsonArray("entry")) {
        JsonObject entry = e.getAsJsonObject();
        JsonObject request = entry.getAsJsonObject("request");
        JsonObject response = entry.getAsJsonObject("response");
        out.add(
            request.get("method").getAsString()
                + " "
                + request.get("url").getAsString()
                + " "
                + response.get("status").getAsString()
                + " "
                + response.get("etag").getAsString()
                + " "
                + (entry.has("resource")
                    ? entry.getAsJsonObject("resource").get("id").getAsString()
                    : "-"));
      }
    }
    return out;
  }

  static String link(JsonObject bundle, String relation) {
    for (JsonElement l : bundle.getAsJsonArray("link")) {
      if (l.getAsJsonObject().get("relation").getAsString().equals(relation)) {
        return l.getAsJsonObject().get("url").getAsString();
      }
    }
    return null;
  }

  static List<String> strings(List<UUID> ids) {
    return ids.stream().map(UUID::toString).toList();
  }
}
