package org.phylax.disclosures;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.access.Permit;
import org.phylax.access.SystemAccess;
import org.phylax.audit.AuditAction;
import org.phylax.audit.AuditEvent;
import org.phylax.audit.AuditLog;
import org.phylax.identity.Account;
import org.phylax.identity.Accounts;
import org.phylax.identity.Actor;
import org.phylax.identity.NewAccount;
import org.phylax.identity.Role;
import org.phylax.oauth.UserTokens;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.TestServers;
import org.phylax.records.RecordStore;

/**
 * The patient's access report over real HTTP with real tokens. Audit events are written here the
 * way the access module writes them (actor = account id, role = role keys, reason = the permit's
 * reason); the report shows who, from which organization, did what and why, newest first, and
 * leaves out the patient's own accesses, refusals, reads of the log and other patients.
 */
class AccessReportIntegrationTests {

  @TempDir static Path dir;
  static PhylaxServer server;
  static AuditLog audit;
  static Account physician;
  static Account nurse;
  static Account patientUser;
  static Account otherPatientUser;
  static UUID patient = UUID.randomUUID();
  static UUID otherPatient = UUID.randomUUID();
  static String patientToken;
  static String otherPatientToken;
  static String physicianToken;
  static final Instant T0 =
      Instant.now().minus(Duration.ofHours(3)).truncatedTo(ChronoUnit.SECONDS);
  static final HttpClient http = HttpClient.newHttpClient();
  static final String PASSWORD = "violet-harbour-tractor-47";

  @BeforeAll
  static void start() {
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    server = TestServers.dev(dir);
    audit = server.context().getBean(AuditLog.class);
    Accounts accounts = server.context().getBean(Accounts.class);
    UserTokens tokens = server.context().getBean(UserTokens.class);
    Actor admin = Actor.operator("tester");

    UUID practitioner = practitionerAt("Riverside Synthetic Clinic");
    physician =
        accounts.create(
            NewAccount.builder("dr-report")
                .role(Role.PHYSICIAN)
                .practitioner(practitioner)
                .displayName("Dr. Ada Synth")
                .password(PASSWORD)
                .build(),
            admin);
    nurse =
        accounts.create(
            NewAccount.builder("nurse-report")
                .role(Role.NURSE)
                .displayName("Ben Synth")
                .password(PASSWORD)
                .build(),
            admin);
    patientUser = patientAccount("patient-report", patient);
    otherPatientUser = patientAccount("patient-other", otherPatient);
    patientToken = tokens.issue(patientUser.username(), Duration.ofMinutes(30), "t").token();
    otherPatientToken =
        tokens.issue(otherPatientUser.username(), Duration.ofMinutes(30), "t").token();
    physicianToken = tokens.issue(physician.username(), Duration.ofMinutes(30), "t").token();

    // The patient's record, oldest first; the report must show 1, 2, 4 (newest first).
    record(T0, physician, "physician", AuditAction.READ, "Observation", patient, "ASSIGNED", null);
    record(
        T0.plusSeconds(60),
        nurse,
        "nurse",
        AuditAction.UPDATE,
        "Observation",
        patient,
        "CARE_TEAM",
        null);
    recordDenied(T0.plusSeconds(90), nurse, patient);
    record(
        T0.plusSeconds(120),
        physician,
        "physician",
        AuditAction.READ,
        "Condition",
        patient,
        "BREAK_GLASS",
        "Unconscious on arrival, no consent possible");
    record(
        T0.plusSeconds(150),
        patientUser,
        "patient",
        AuditAction.READ,
        "Observation",
        patient,
        "SELF",
        null);
    record(
        T0.plusSeconds(180),
        physician,
        "physician",
        AuditAction.CREATE,
        "Observation",
        patient,
        "ASSIGNED",
        null);
    // Someone else's record.
    record(
        T0.plusSeconds(30),
        nurse,
        "nurse",
        AuditAction.READ,
        "Observation",
        otherPatient,
        "CARE_TEAM",
        null);
  }

  @AfterAll
  static void stop() {
    server.close();
    System.clearProperty("phylax.audit.checkpoint-poll");
  }

  private static UUID practitionerAt(String organizationName) {
    RecordStore records = server.context().getBean(RecordStore.class);
    Permit permit = server.context().getBean(SystemAccess.class).forTask("test");
    Organization clinic = new Organization();
    clinic.setActive(true).setName(organizationName);
    UUID organization = records.create(permit, clinic).id();
    Practitioner practitioner = new Practitioner();
    practitioner.setActive(true).addName().setFamily("Synth").addGiven("Ada");
    UUID id = records.create(permit, practitioner).id();
    PractitionerRole job = new PractitionerRole();
    job.setActive(true)
        .setPractitioner(new Reference("Practitioner/" + id))
        .setOrganization(new Reference("Organization/" + organization));
    records.create(permit, job);
    return id;
  }

  private static Account patientAccount(String username, UUID patientId) {
    return server
        .context()
        .getBean(Accounts.class)
        .create(
            NewAccount.builder(username)
                .role(Role.PATIENT)
                .patient(patientId)
                .displayName("Pat Synth")
                .password(PASSWORD)
                .build(),
            Actor.operator("tester"));
  }

  private static void record(
      Instant at,
      Account actor,
      String role,
      AuditAction action,
      String type,
      UUID patientId,
      String reason,
      String justification) {
    audit.record(
        AuditEvent.builder(action, AuditEvent.Outcome.PERMIT)
            .at(at)
            .actor(actor.id().toString(), role, "phylax-web")
            .source("203.0.113.9", "test", null)
            .entity(type, UUID.randomUUID().toString(), 1L)
            .patient(patientId)
            .purpose(justification == null ? "treatment" : "emergency")
            .reason(reason)
            .justification(justification)
            .build());
  }

  private static void recordDenied(Instant at, Account actor, UUID patientId) {
    audit.record(
        AuditEvent.builder(AuditAction.READ, AuditEvent.Outcome.DENY)
            .at(at)
            .actor(actor.id().toString(), "nurse", "phylax-web")
            .entity("Condition", UUID.randomUUID().toString(), null)
            .patient(patientId)
            .purpose("treatment")
            .reason("NO_RELATIONSHIP")
            .build());
  }

  private static HttpResponse<String> get(String path, String token) throws Exception {
    return http.send(
        HttpRequest.newBuilder(server.baseUri().resolve(path))
            .header("Authorization", "Bearer " + token)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject json(HttpResponse<String> response) {
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }

  private static List<JsonObject> entries(HttpResponse<String> response) {
    assertThat(response.statusCode()).isEqualTo(200);
    List<JsonObject> out = new ArrayList<>();
    json(response).getAsJsonArray("entries").forEach(e -> out.add(e.getAsJsonObject()));
    return out;
  }

  private static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>();
    array.forEach(e -> out.add(e.getAsString()));
    return out;
  }

  @Test
  void reportThenListsOthersAccessesNewestFirstWithWhoWhatAndWhy() throws Exception {
    List<JsonObject> report = entries(get("/api/me/access-report", patientToken));

    assertThat(report).hasSize(4);
    assertThat(report.stream().map(e -> Instant.parse(e.get("at").getAsString())).toList())
        .containsExactly(T0.plusSeconds(180), T0.plusSeconds(120), T0.plusSeconds(60), T0);

    JsonObject created = report.get(0);
    assertThat(created.get("name").getAsString()).isEqualTo("Dr. Ada Synth");
    assertThat(strings(created.getAsJsonArray("roles"))).containsExactly("physician");
    assertThat(strings(created.getAsJsonArray("organizations")))
        .containsExactly("Riverside Synthetic Clinic");
    assertThat(created.get("action").getAsString()).isEqualTo("CREATE");
    assertThat(created.get("resourceType").getAsString()).isEqualTo("Observation");
    assertThat(created.get("reason").getAsString()).isEqualTo("ASSIGNED");
    assertThat(created.get("purpose").getAsString()).isEqualTo("treatment");
    assertThat(created.has("justification")).isFalse();

    JsonObject emergency = report.get(1);
    assertThat(emergency.get("reason").getAsString()).isEqualTo("BREAK_GLASS");
    assertThat(emergency.get("justification").getAsString())
        .isEqualTo("Unconscious on arrival, no consent possible");

    JsonObject update = report.get(2);
    assertThat(update.get("name").getAsString()).isEqualTo("Ben Synth");
    assertThat(strings(update.getAsJsonArray("roles"))).containsExactly("nurse");
    assertThat(update.has("organizations")).isFalse();
    assertThat(update.get("action").getAsString()).isEqualTo("UPDATE");
    assertThat(update.get("reason").getAsString()).isEqualTo("CARE_TEAM");

    assertThat(report.get(3).get("action").getAsString()).isEqualTo("READ");
    assertThat(report.get(3).get("resourceType").getAsString()).isEqualTo("Observation");
  }

  @Test
  void reportWhenAnotherPatientAsksThenOnlyTheirRecordsAccessesAppear() throws Exception {
    List<JsonObject> report = entries(get("/api/me/access-report", otherPatientToken));

    assertThat(report)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.get("name").getAsString()).isEqualTo("Ben Synth");
              assertThat(Instant.parse(e.get("at").getAsString())).isEqualTo(T0.plusSeconds(30));
            });
  }

  @Test
  void reportWhenPagedThenNeitherSkipsNorRepeats() throws Exception {
    HttpResponse<String> first = get("/api/me/access-report?limit=2", patientToken);
    List<JsonObject> page1 = entries(first);
    assertThat(page1).hasSize(2);
    String next = json(first).get("next").getAsString();

    HttpResponse<String> second = get("/api/me/access-report?limit=2&cursor=" + next, patientToken);
    List<JsonObject> page2 = entries(second);
    assertThat(page2).hasSize(2);
    if (json(second).has("next")) {
      // A cursor at the end may be handed out only if nothing more is found after it.
      assertThat(
              entries(
                  get(
                      "/api/me/access-report?limit=2&cursor="
                          + json(second).get("next").getAsString(),
                      patientToken)))
          .isEmpty();
    }

    List<Instant> seen = new ArrayList<>();
    page1.forEach(e -> seen.add(Instant.parse(e.get("at").getAsString())));
    page2.forEach(e -> seen.add(Instant.parse(e.get("at").getAsString())));
    assertThat(seen)
        .containsExactly(T0.plusSeconds(180), T0.plusSeconds(120), T0.plusSeconds(60), T0);
  }

  @Test
  void reportWhenCallerIsNotAPatientThenForbiddenProblem() throws Exception {
    HttpResponse<String> response = get("/api/me/access-report", physicianToken);

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/problem+json");
    assertThat(json(response).get("detail").getAsString()).contains("patient");
  }

  @Test
  void reportWhenCursorOrLimitIsMalformedThenBadRequestProblem() throws Exception {
    HttpResponse<String> cursor = get("/api/me/access-report?cursor=garbage", patientToken);
    assertThat(cursor.statusCode()).isEqualTo(400);
    assertThat(cursor.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/problem+json");
    assertThat(json(cursor).get("detail").getAsString()).contains("cursor");

    HttpResponse<String> limit = get("/api/me/access-report?limit=1000", patientToken);
    assertThat(limit.statusCode()).isEqualTo(400);
    assertThat(json(limit).get("detail").getAsString()).contains("limit");
  }
}
