package org.phylax.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.lang.reflect.Method;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.hl7.fhir.r4.model.Observation;
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
 * Bulk export and the AuditEvent API over real HTTP with real bearer tokens: a backend service's
 * system export from kick-off to NDJSON, files that only the asker can fetch and that are
 * ciphertext at rest, one EXPORT audit event per patient, a physician's Patient-level export that
 * holds only their patients, a Group-level export that holds only the members the caller may see,
 * cancel, expiry, and the audit log read as AuditEvent by a compliance officer (and refused to a
 * physician).
 */
class BulkExportIntegrationTests {

  @TempDir static Path dir;
  static PhylaxServer server;
  static FhirHttp web;
  static JdbcTemplate jdbc;
  static final HttpClient http = HttpClient.newHttpClient();
  static final String PASSWORD = "violet-harbour-tractor-47";
  static final String FAMILY = "Quillfeatherby";
  static final Duration EXPIRY = Duration.ofSeconds(12);
  static String service;
  static String serviceClient;
  static String otherService;
  static String physician;
  static String compliance;
  static String listKeeper;
  static UUID group;

  /** Observation id by patient. */
  static final Map<UUID, String> observationOf = new HashMap<>();

  static UUID physicianAccount;
  static final List<UUID> mine = new ArrayList<>();
  static UUID theirs;
  static final Set<String> observations = new HashSet<>();
  static final Set<String> myObservations = new HashSet<>();

  @BeforeAll
  static void start() throws Exception {
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    System.setProperty("phylax.fhir.export-expiry", "PT" + EXPIRY.toSeconds() + "S");
    System.setProperty("phylax.fhir.export-sweep", "PT1S");
    // Two resources a part, so that every file here is written and read in parts.
    System.setProperty("phylax.fhir.export-page", "2");
    server = TestServers.dev(dir);
    web = new FhirHttp(server.baseUri(), "export-test");
    jdbc = server.context().getBean(JdbcTemplate.class);
    RecordStore store = server.context().getBean(RecordStore.class);
    Permit system = server.context().getBean(SystemAccess.class).forTask("test");
    UUID doctor = store.create(system, practitioner("Oakhart")).id();
    UUID other = store.create(system, practitioner("Elmsworth")).id();
    for (int i = 0; i < 2; i++) {
      UUID p = store.create(system, patient(FAMILY, "Synthia", doctor)).id();
      mine.add(p);
      String o = store.create(system, observation(p, 60 + i)).id().toString();
      observations.add(o);
      myObservations.add(o);
      observationOf.put(p, o);
    }
    theirs = store.create(system, patient("Marchbankly", "Tamsin", other)).id();
    String o = store.create(system, observation(theirs, 70)).id().toString();
    observations.add(o);
    observationOf.put(theirs, o);

    OAuthClients clients = server.context().getBean(OAuthClients.class);
    OAuthClients.Registered feed =
        clients.addService("Export feed", Set.of("system/*.read"), "os:tester");
    serviceClient = feed.clientId();
    service = token(feed);
    otherService = token(clients.addService("Other feed", Set.of("system/*.read"), "os:tester"));

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
        NewAccount.builder("privacy-officer")
            .role(Role.COMPLIANCE_OFFICER)
            .password(PASSWORD)
            .build(),
        admin);
    accounts.create(
        NewAccount.builder("list-keeper").role(Role.ADMIN).password(PASSWORD).build(), admin);
    physician = tokens.issue("dr-oakhart", Duration.ofMinutes(15), "tester").token();
    compliance = tokens.issue("privacy-officer", Duration.ofMinutes(15), "tester").token();
    listKeeper = tokens.issue("list-keeper", Duration.ofMinutes(15), "tester").token();

    // A ward list: one of the physician's patients and one who is not theirs; mine(1) is not on it.
    String ward =
        "{\"resourceType\":\"Group\",\"type\":\"person\",\"actual\":true,\"member\":["
            + "{\"entity\":{\"reference\":\"Patient/"
            + mine.get(0)
            + "\"}},{\"entity\":{\"reference\":\"Patient/"
            + theirs
            + "\"}},{\"entity\":{\"reference\":\"Practitioner/"
            + doctor
            + "\"}}]}";
    // The role table: an administrator keeps Groups, a physician may not write one.
    assertThat(post("/fhir/Group", physician, ward).statusCode()).isEqualTo(403);
    HttpResponse<String> created = post("/fhir/Group", listKeeper, ward);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    group = UUID.fromString(json(created).get("id").getAsString());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    System.clearProperty("phylax.audit.checkpoint-poll");
    System.clearProperty("phylax.fhir.export-expiry");
    System.clearProperty("phylax.fhir.export-sweep");
    System.clearProperty("phylax.fhir.export-page");
  }

  @Test
  void systemExportWhenServiceThenManifestNdjsonOnlyForItEncryptedAndEachPatientAudited()
      throws Exception {
    String status = kickOff("/fhir/$export?_type=Patient,Observation", service);
    UUID job = UUID.fromString(status.replaceAll(".*_jobId=", ""));
    JsonObject manifest = poll(status, service);

    assertThat(manifest.get("requiresAccessToken").getAsBoolean()).isTrue();
    assertThat(manifest.get("request").getAsString())
        .endsWith("/fhir/$export?_type=Patient,Observation");
    assertThat(manifest.get("transactionTime").getAsString()).isNotBlank();
    assertThat(manifest.getAsJsonArray("error")).isEmpty();
    Map<String, JsonObject> outputs = new HashMap<>();
    for (JsonElement e : manifest.getAsJsonArray("output")) {
      outputs.put(e.getAsJsonObject().get("type").getAsString(), e.getAsJsonObject());
    }
    assertThat(outputs).containsOnlyKeys("Patient", "Observation");
    assertThat(outputs.get("Patient").get("count").getAsInt()).isEqualTo(3);
    assertThat(outputs.get("Observation").get("count").getAsInt()).isEqualTo(3);

    String patientsUrl = outputs.get("Patient").get("url").getAsString();
    HttpResponse<String> patients = send("GET", patientsUrl, service, Map.of());
    assertThat(patients.statusCode()).as(patients.body()).isEqualTo(200);
    assertThat(patients.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/fhir+ndjson"));
    Set<String> patientIds = new HashSet<>();
    for (JsonObject line : ndjson(patients.body())) {
      assertThat(line.get("resourceType").getAsString()).isEqualTo("Patient");
      patientIds.add(line.get("id").getAsString());
    }
    Set<String> expected = new HashSet<>(strings(mine));
    expected.add(theirs.toString());
    assertThat(patientIds).isEqualTo(expected);
    assertThat(patients.body()).contains(FAMILY);
    HttpResponse<String> obs =
        send("GET", outputs.get("Observation").get("url").getAsString(), service, Map.of());
    Set<String> obsIds = new HashSet<>();
    for (JsonObject line : ndjson(obs.body())) {
      assertThat(line.get("resourceType").getAsString()).isEqualTo("Observation");
      obsIds.add(line.get("id").getAsString());
    }
    assertThat(obsIds).isEqualTo(observations);

    // Only the client that asked: another client and a user get 404, no token 401.
    assertThat(send("GET", patientsUrl, otherService, Map.of()).statusCode()).isEqualTo(404);
    assertThat(send("GET", patientsUrl, physician, Map.of()).statusCode()).isEqualTo(404);
    assertThat(send("GET", status, otherService, Map.of()).statusCode()).isEqualTo(404);
    HttpResponse<String> anonymous = send("GET", patientsUrl, null, Map.of());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.body()).doesNotContain(FAMILY);

    // At rest the files are ciphertext: the synthetic family name is in no stored byte.
    List<byte[]> bodies =
        jdbc.queryForList("select body from fhir_export_file where job_id = ?", byte[].class, job);
    assertThat(bodies).hasSize(4); // 3 Patients and 3 Observations, two a part
    byte[] needle = FAMILY.getBytes(StandardCharsets.UTF_8);
    for (byte[] body : bodies) {
      assertThat(indexOf(body, needle)).isEqualTo(-1);
    }

    // One EXPORT event per patient exported, as the service's.
    for (UUID p : expected.stream().map(UUID::fromString).toList()) {
      assertThat(
              jdbc.queryForObject(
                  "select count(*) from audit_event where action = 'EXPORT' and patient_id = ?"
                      + " and entity_id = ? and outcome = 'PERMIT' and client_id is not null",
                  Long.class,
                  p,
                  job.toString()))
          .as("EXPORT events of one patient")
          .isEqualTo(1);
    }
  }

  @Test
  void patientExportWhenPhysicianThenOnlyTheirPatientsData() throws Exception {
    String status = kickOff("/fhir/Patient/$export", physician);
    JsonObject manifest = poll(status, physician);
    Set<String> types = new HashSet<>();
    Set<String> ids = new HashSet<>();
    for (JsonElement e : manifest.getAsJsonArray("output")) {
      JsonObject output = e.getAsJsonObject();
      types.add(output.get("type").getAsString());
      HttpResponse<String> file = send("GET", output.get("url").getAsString(), physician, Map.of());
      assertThat(file.statusCode()).as(file.body()).isEqualTo(200);
      for (JsonObject line : ndjson(file.body())) {
        ids.add(line.get("id").getAsString());
        assertThat(line.toString()).doesNotContain(theirs.toString());
      }
    }
    // Physicians export clinical data; demographics are not theirs to export (role table).
    assertThat(types).containsExactly("Observation");
    assertThat(ids).isEqualTo(myObservations);
    assertThat(
            jdbc.queryForObject(
                "select count(*) from audit_event where action = 'EXPORT' and patient_id = ?"
                    + " and actor_user = ?",
                Long.class,
                theirs,
                physicianAccount.toString()))
        .isZero();
    for (UUID p : mine) {
      assertThat(
              jdbc.queryForObject(
                  "select count(*) from audit_event where action = 'EXPORT' and patient_id = ?"
                      + " and actor_user = ?",
                  Long.class,
                  p,
                  physicianAccount.toString()))
          .isEqualTo(1);
    }
  }

  @Test
  void groupExportWhenPhysicianThenOnlyTheMembersTheyMaySeeAndEachAudited() throws Exception {
    String status = kickOff("/fhir/Group/" + group + "/$export", physician);
    UUID job = UUID.fromString(status.replaceAll(".*_jobId=", ""));
    JsonObject manifest = poll(status, physician);
    assertThat(manifest.get("request").getAsString()).endsWith("/fhir/Group/" + group + "/$export");

    // The member they may see, and only their clinical data (demographics are not theirs to
    // export): not the other member, not mine(1), who is theirs but not on the list.
    assertThat(exported(manifest, physician))
        .isEqualTo(Set.of("Observation/" + observationOf.get(mine.get(0))));
    assertThat(exportEvents(job, mine.get(0))).isEqualTo(1);
    assertThat(exportEvents(job, theirs)).isZero();
    assertThat(exportEvents(job, mine.get(1))).isZero();
  }

  @Test
  void groupExportWhenServiceThenEveryMemberAndNobodyElse() throws Exception {
    String status = kickOff("/fhir/Group/" + group + "/$export?_type=Patient,Observation", service);
    UUID job = UUID.fromString(status.replaceAll(".*_jobId=", ""));
    JsonObject manifest = poll(status, service);
    assertThat(exported(manifest, service))
        .isEqualTo(
            Set.of(
                "Patient/" + mine.get(0),
                "Patient/" + theirs,
                "Observation/" + observationOf.get(mine.get(0)),
                "Observation/" + observationOf.get(theirs)));
    assertThat(exportEvents(job, mine.get(0))).isEqualTo(1);
    assertThat(exportEvents(job, theirs)).isEqualTo(1);
    assertThat(exportEvents(job, mine.get(1))).isZero();
  }

  @Test
  void kickOffWhenWrongThenOperationOutcomes() throws Exception {
    HttpResponse<String> user =
        send("GET", "/fhir/$export", physician, Map.of("Prefer", "respond-async"));
    assertThat(user.statusCode()).as(user.body()).isEqualTo(403);
    assertThat(user.body()).contains("OperationOutcome");
    HttpResponse<String> sync = send("GET", "/fhir/$export", service, Map.of());
    assertThat(sync.statusCode()).as(sync.body()).isEqualTo(400);
    assertThat(sync.body()).contains("respond-async");
    HttpResponse<String> unknownType =
        send("GET", "/fhir/$export?_type=Basic", service, Map.of("Prefer", "respond-async"));
    assertThat(unknownType.statusCode()).as(unknownType.body()).isEqualTo(400);
    HttpResponse<String> badSince =
        send("GET", "/fhir/$export?_since=yesterday", service, Map.of("Prefer", "respond-async"));
    assertThat(badSince.statusCode()).as(badSince.body()).isEqualTo(400);
    HttpResponse<String> unknownGroup =
        send(
            "GET",
            "/fhir/Group/" + UUID.randomUUID() + "/$export",
            service,
            Map.of("Prefer", "respond-async"));
    assertThat(unknownGroup.statusCode()).as(unknownGroup.body()).isEqualTo(404);
    assertThat(unknownGroup.body()).contains("OperationOutcome");
    // A compliance officer may not read Groups, so may not export one (refused, not empty).
    HttpResponse<String> notTheirs =
        send(
            "GET",
            "/fhir/Group/" + group + "/$export",
            compliance,
            Map.of("Prefer", "respond-async"));
    assertThat(notTheirs.statusCode()).as(notTheirs.body()).isEqualTo(403);
    assertThat(notTheirs.body()).contains("ROLE_NOT_PERMITTED").doesNotContain(FAMILY);
    assertThat(send("GET", "/fhir/$export", null, Map.of("Prefer", "respond-async")).statusCode())
        .isEqualTo(401);
  }

  @Test
  void sinceWhenAfterEverythingThenEmptyManifest() throws Exception {
    String since = URLEncoder.encode("2999-01-01T00:00:00Z", StandardCharsets.UTF_8);
    JsonObject manifest = poll(kickOff("/fhir/$export?_since=" + since, service), service);
    assertThat(manifest.getAsJsonArray("output")).isEmpty();
  }

  @Test
  void deleteWhenStatusUrlThenJobAndFilesGone() throws Exception {
    String status = kickOff("/fhir/$export?_type=Observation", service);
    UUID job = UUID.fromString(status.replaceAll(".*_jobId=", ""));
    assertThat(send("DELETE", status, otherService, Map.of()).statusCode()).isEqualTo(404);
    HttpResponse<String> deleted = send("DELETE", status, service, Map.of());
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(202);
    assertThat(send("GET", status, service, Map.of()).statusCode()).isEqualTo(404);
    Thread.sleep(500);
    assertThat(
            jdbc.queryForObject(
                "select count(*) from fhir_export_file where job_id = ?", Long.class, job))
        .isZero();
  }

  @Test
  void expiryWhenPassedThenSweeperDeletesFiles() throws Exception {
    String status = kickOff("/fhir/$export?_type=Patient", service);
    UUID job = UUID.fromString(status.replaceAll(".*_jobId=", ""));
    poll(status, service);
    assertThat(
            jdbc.queryForObject(
                "select count(*) from fhir_export_file where job_id = ?", Long.class, job))
        .isPositive();
    long deadline = System.nanoTime() + EXPIRY.plusSeconds(20).toNanos();
    while (System.nanoTime() < deadline
        && jdbc.queryForObject("select count(*) from fhir_export_job where id = ?", Long.class, job)
            > 0) {
      Thread.sleep(250);
    }
    assertThat(
            jdbc.queryForObject(
                "select count(*) from fhir_export_file where job_id = ?", Long.class, job))
        .isZero();
    assertThat(send("GET", status, service, Map.of()).statusCode()).isEqualTo(404);
  }

  @Test
  void auditEventWhenComplianceOfficerThenEventsOfThePatientAndPhysicianRefused() throws Exception {
    UUID p = mine.get(0);
    HttpResponse<String> read = send("GET", "/fhir/Patient/" + p, physician, Map.of());
    assertThat(read.statusCode()).as(read.body()).isEqualTo(200);

    HttpResponse<String> search =
        send(
            "GET",
            "/fhir/AuditEvent?patient=Patient/" + p + "&action=R&date=ge2020-01-01&outcome=0",
            compliance,
            Map.of());
    assertThat(search.statusCode()).as(search.body()).isEqualTo(200);
    JsonObject bundle = json(search);
    assertThat(bundle.get("resourceType").getAsString()).isEqualTo("Bundle");
    List<JsonObject> events = new ArrayList<>();
    for (JsonElement e : bundle.getAsJsonArray("entry")) {
      events.add(e.getAsJsonObject().getAsJsonObject("resource"));
    }
    JsonObject readEvent =
        events.stream()
            .filter(
                e ->
                    e.toString().contains(physicianAccount.toString())
                        && e.toString().contains("\"read\""))
            .findFirst()
            .orElseThrow();
    assertThat(readEvent.get("resourceType").getAsString()).isEqualTo("AuditEvent");
    assertThat(readEvent.get("action").getAsString()).isEqualTo("R");
    assertThat(readEvent.get("outcome").getAsString()).isEqualTo("0");
    assertThat(readEvent.get("recorded").getAsString()).isNotBlank();
    assertThat(
            readEvent
                .getAsJsonArray("agent")
                .get(0)
                .getAsJsonObject()
                .getAsJsonObject("network")
                .get("address")
                .getAsString())
        .isEqualTo("127.0.0.1");
    assertThat(readEvent.getAsJsonArray("entity").toString()).contains("Patient/" + p);
    for (JsonObject e : events) {
      assertThat(e.getAsJsonArray("entity").toString()).contains("Patient/" + p);
    }

    // Read by id: the sequence number.
    String id = readEvent.get("id").getAsString();
    HttpResponse<String> one = send("GET", "/fhir/AuditEvent/" + id, compliance, Map.of());
    assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
    assertThat(json(one).get("id").getAsString()).isEqualTo(id);

    // The reads themselves are audited (AUDIT_READ about that patient).
    assertThat(
            jdbc.queryForObject(
                "select count(*) from audit_event where action = 'AUDIT_READ' and patient_id = ?"
                    + " and outcome = 'SUCCESS'",
                Long.class,
                p))
        .isGreaterThanOrEqualTo(1);

    HttpResponse<String> refused =
        send("GET", "/fhir/AuditEvent?patient=" + p, physician, Map.of());
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
    assertThat(json(refused).get("resourceType").getAsString()).isEqualTo("OperationOutcome");
    assertThat(send("GET", "/fhir/AuditEvent/" + id, service, Map.of()).statusCode())
        .isEqualTo(403);
    assertThat(
            jdbc.queryForObject(
                "select count(*) from audit_event where action = 'AUDIT_READ' and outcome = 'DENY'"
                    + " and actor_user = ?",
                Long.class,
                physicianAccount.toString()))
        .isEqualTo(1);
    HttpResponse<String> badDate =
        send("GET", "/fhir/AuditEvent?date=ge2020-13-45", compliance, Map.of());
    assertThat(badDate.statusCode()).as(badDate.body()).isEqualTo(400);
  }

  @Test
  void resumeWhenAJobWasLeftRunningThenItGoesOnFromItsCursor() throws Exception {
    // As a stopped server leaves it: Patient already written (no resources there), Observation
    // next.
    UUID job = UUID.randomUUID();
    jdbc.update(
        "insert into fhir_export_job (id, owner, owner_scopes, level, types, request, status,"
            + " type_index, created_at) values (?, ?, 'system/*.read', 'system',"
            + " 'Patient,Observation', 'resumed', 'running', 1, now())",
        job,
        "client:" + serviceClient);
    Class<?> jobs = Class.forName("org.phylax.fhir.internal.BulkExportJobs");
    Method resume = jobs.getDeclaredMethod("resume");
    resume.setAccessible(true);
    resume.invoke(server.context().getBean(jobs));

    String status = server.baseUri().resolve("/fhir/$export-poll-status?_jobId=" + job).toString();
    JsonObject manifest = poll(status, service);
    assertThat(manifest.getAsJsonArray("output")).hasSize(1);
    JsonObject output = manifest.getAsJsonArray("output").get(0).getAsJsonObject();
    assertThat(output.get("type").getAsString()).isEqualTo("Observation");
    assertThat(output.get("count").getAsInt()).isEqualTo(3);
    // Access was decided again on resume, as the service's, and audited.
    assertThat(
            jdbc.queryForObject(
                "select count(*) from audit_event where action = 'EXPORT' and entity_id = ?"
                    + " and patient_id is null and entity_type = 'Observation'",
                Long.class,
                job.toString()))
        .isEqualTo(1);
  }

  @Test
  void resumeWhenAGroupJobWasLeftRunningThenItReadsTheMembersAgain() throws Exception {
    UUID job = UUID.randomUUID();
    jdbc.update(
        "insert into fhir_export_job (id, owner, owner_scopes, level, group_id, types, request,"
            + " status, type_index, created_at) values (?, ?, 'system/*.read', 'group', ?,"
            + " 'Patient', 'resumed', 'running', 0, now())",
        job,
        "client:" + serviceClient,
        group);
    Class<?> jobs = Class.forName("org.phylax.fhir.internal.BulkExportJobs");
    Method resume = jobs.getDeclaredMethod("resume");
    resume.setAccessible(true);
    resume.invoke(server.context().getBean(jobs));

    String status = server.baseUri().resolve("/fhir/$export-poll-status?_jobId=" + job).toString();
    assertThat(exported(poll(status, service), service))
        .isEqualTo(Set.of("Patient/" + mine.get(0), "Patient/" + theirs));
  }

  @Test
  void metadataWhenAskedThenExportOperationsAndAuditEventListed() throws Exception {
    HttpResponse<String> response = send("GET", "/fhir/metadata", null, Map.of());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
        .contains("\"name\":\"export\"")
        .contains("http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export")
        .contains("http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export")
        .contains("http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export")
        .contains("export-poll-status");
    assertThat(response.body()).contains("\"AuditEvent\"");
  }

  // ------------------------------------------------------------------ helpers

  /**
   * Every file of the manifest fetched with the asker's token (another client's token: 404), as
   * "Type/id", each line of the type its file says.
   */
  static Set<String> exported(JsonObject manifest, String token) throws Exception {
    Set<String> out = new HashSet<>();
    for (JsonElement e : manifest.getAsJsonArray("output")) {
      JsonObject output = e.getAsJsonObject();
      String type = output.get("type").getAsString();
      String url = output.get("url").getAsString();
      String other = token.equals(otherService) ? service : otherService;
      assertThat(send("GET", url, other, Map.of()).statusCode()).isEqualTo(404);
      HttpResponse<String> file = send("GET", url, token, Map.of());
      assertThat(file.statusCode()).as(file.body()).isEqualTo(200);
      List<JsonObject> lines = ndjson(file.body());
      assertThat(lines).hasSize(output.get("count").getAsInt());
      for (JsonObject line : lines) {
        assertThat(line.get("resourceType").getAsString()).isEqualTo(type);
        assertThat(out.add(type + "/" + line.get("id").getAsString())).as("once each").isTrue();
      }
    }
    return out;
  }

  static long exportEvents(UUID job, UUID patient) {
    return jdbc.queryForObject(
        "select count(*) from audit_event where action = 'EXPORT' and patient_id = ?"
            + " and entity_id = ? and outcome = 'PERMIT'",
        Long.class,
        patient,
        job.toString());
  }

  static HttpResponse<String> post(String path, String token, String body) throws Exception {
    return web.send("POST", path, token, body);
  }

  static String kickOff(String path, String token) throws Exception {
    HttpResponse<String> response = send("GET", path, token, Map.of("Prefer", "respond-async"));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    return response.headers().firstValue("Content-Location").orElseThrow();
  }

  static JsonObject poll(String status, String token) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      HttpResponse<String> response = send("GET", status, token, Map.of());
      if (response.statusCode() == 200) {
        return json(response);
      }
      assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
      assertThat(response.headers().firstValue("X-Progress")).isPresent();
      assertThat(System.nanoTime()).as("export finished in time").isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  static HttpResponse<String> send(
      String method, String path, String token, Map<String, String> headers) throws Exception {
    return web.send(method, path, token, null, headers);
  }

  static String token(OAuthClients.Registered client) throws Exception {
    return web.serviceToken(client, "system/*.read");
  }

  static List<JsonObject> ndjson(String body) {
    List<JsonObject> out = new ArrayList<>();
    for (String line : body.split("\n")) {
      if (!line.isBlank()) {
        out.add(JsonParser.parseString(line).getAsJsonObject());
      }
    }
    return out;
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  static JsonObject json(HttpResponse<String> response) {
    return FhirHttp.json(response);
  }

  static Observation observation(UUID patient, int value) {
    Observation o = new Observation();
    o.setStatus(Observation.ObservationStatus.FINAL);
    o.getCode().addCoding().setSystem("http://loinc.org").setCode("8867-4");
    o.setSubject(new Reference("Patient/" + patient));
    o.getValueQuantity().setValue(value).setUnit("/min");
    return o;
  }

  static Patient patient(String family, String given, UUID practitioner) {
    Patient p = new Patient();
    p.addName().setFamily(family).addGiven(given);
    p.addGeneralPractitioner(new Reference("Practitioner/" + practitioner));
    return p;
  }

  static Practitioner practitioner(String family) {
    Practitioner p = new Practitioner();
    p.addName().setFamily(family);
    return p;
  }

  static List<String> strings(List<UUID> ids) {
    return ids.stream().map(UUID::toString).toList();
  }
}
