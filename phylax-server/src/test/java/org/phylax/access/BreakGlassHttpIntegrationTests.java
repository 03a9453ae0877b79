package org.phylax.access;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
 * Break-glass over real HTTP with real bearer tokens: opening a grant (and what is refused), the
 * review queue for compliance officers, one verdict per grant, and the audit trail of each.
 */
class BreakGlassHttpIntegrationTests {

  @TempDir static Path dir;
  static PhylaxServer server;
  static JdbcTemplate jdbc;
  static final HttpClient http = HttpClient.newHttpClient();
  static final String PASSWORD = "violet-harbour-tractor-47";
  static String physician;
  static String compliance;
  static String frontDesk;
  static UUID patient;

  @BeforeAll
  static void start() {
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    server = TestServers.dev(dir);
    jdbc = server.context().getBean(JdbcTemplate.class);
    RecordStore store = server.context().getBean(RecordStore.class);
    Permit system = server.context().getBean(SystemAccess.class).forTask("test");
    Patient p = new Patient();
    p.addName().setFamily("Brackenridge").addGiven("Synthia");
    patient = store.create(system, p).id();
    Practitioner doctor = new Practitioner();
    doctor.addName().setFamily("Oakhart");
    UUID practitioner = store.create(system, doctor).id();

    Accounts accounts = server.context().getBean(Accounts.class);
    UserTokens tokens = server.context().getBean(UserTokens.class);
    Actor admin = Actor.operator("tester");
    accounts.create(
        NewAccount.builder("er-physician")
            .role(Role.PHYSICIAN)
            .practitioner(practitioner)
            .password(PASSWORD)
            .build(),
        admin);
    accounts.create(
        NewAccount.builder("privacy-officer")
            .role(Role.COMPLIANCE_OFFICER)
            .password(PASSWORD)
            .build(),
        admin);
    accounts.create(
        NewAccount.builder("desk").role(Role.FRONT_DESK).password(PASSWORD).build(), admin);
    physician = tokens.issue("er-physician", Duration.ofMinutes(10), "tester").token();
    compliance = tokens.issue("privacy-officer", Duration.ofMinutes(10), "tester").token();
    frontDesk = tokens.issue("desk", Duration.ofMinutes(10), "tester").token();
  }

  @AfterAll
  static void stop() {
    server.close();
    System.clearProperty("phylax.audit.checkpoint-poll");
  }

  @Test
  void openWhenPhysicianGivesAReasonThen201WithExpiry_thenReviewedOnceByComplianceOfficer()
      throws Exception {
    HttpResponse<String> opened =
        post(
            "/api/access/break-glass",
            physician,
            "{\"patient\":\"Patient/"
                + patient
                + "\",\"reason\":\"unresponsive on arrival, no ID\"}");
    assertThat(opened.statusCode()).as(opened.body()).isEqualTo(201);
    JsonObject grant = JsonParser.parseString(opened.body()).getAsJsonObject();
    String id = grant.get("id").getAsString();
    assertThat(grant.get("patient").getAsString()).isEqualTo("Patient/" + patient);
    Duration lasts =
        Duration.between(
            java.time.Instant.parse(grant.get("createdAt").getAsString()),
            java.time.Instant.parse(grant.get("expiresAt").getAsString()));
    assertThat(lasts).isEqualTo(Duration.ofHours(4));
    assertThat(opened.headers().firstValue("Location")).hasValue("/api/access/break-glass/" + id);
    assertThat(
            jdbc.queryForObject(
                "select count(*) from audit_event where action = 'BREAK_GLASS'"
                    + " and outcome = 'PERMIT' and patient_id = ? and source_ip is not null",
                Long.class,
                patient))
        .isEqualTo(1);

    // The opening is a high-severity alert at once.
    HttpResponse<String> alerts = get("/api/alerts", compliance);
    assertThat(alerts.statusCode()).as(alerts.body()).isEqualTo(200);
    assertThat(alerts.body()).contains(id).contains("BREAK_GLASS").contains("HIGH");

    // A physician may not read the queue; the compliance officer sees the grant with its reason.
    assertThat(get("/api/access/break-glass/reviews", physician).statusCode()).isEqualTo(403);
    HttpResponse<String> queue = get("/api/access/break-glass/reviews", compliance);
    assertThat(queue.statusCode()).as(queue.body()).isEqualTo(200);
    assertThat(queue.body()).contains(id).contains("unresponsive on arrival, no ID");

    HttpResponse<String> reviewed =
        post(
            "/api/access/break-glass/" + id + "/review",
            compliance,
            "{\"verdict\":\"appropriate\",\"note\":\"emergency confirmed with the ward\"}");
    assertThat(reviewed.statusCode()).as(reviewed.body()).isEqualTo(200);
    assertThat(
            JsonParser.parseString(reviewed.body()).getAsJsonObject().get("verdict").getAsString())
        .isEqualTo("appropriate");
    HttpResponse<String> again =
        post(
            "/api/access/break-glass/" + id + "/review",
            compliance,
            "{\"verdict\":\"inappropriate\",\"note\":\"changing my mind\"}");
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(get("/api/access/break-glass/reviews", compliance).body()).doesNotContain(id);
    assertThat(get("/api/access/break-glass/reviews?status=all", compliance).body()).contains(id);
    assertThat(
            jdbc.queryForObject(
                "select count(*) from audit_event where action = 'BREAK_GLASS'"
                    + " and outcome = 'SUCCESS' and entity_id = ?",
                Long.class,
                id))
        .isEqualTo(1);
  }

  @Test
  void openWhenInputIsBadOrRoleMayNotThenProblemJsonNamingWhatWasWrong() throws Exception {
    HttpResponse<String> shortReason =
        post(
            "/api/access/break-glass",
            physician,
            "{\"patient\":\"Patient/" + patient + "\",\"reason\":\"urgent\"}");
    assertThat(shortReason.statusCode()).isEqualTo(400);
    assertThat(shortReason.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
    assertThat(shortReason.body()).contains("at least 20 characters");

    HttpResponse<String> badRef =
        post(
            "/api/access/break-glass",
            physician,
            "{\"patient\":\"Observation/1\",\"reason\":\"unresponsive on arrival, no ID\"}");
    assertThat(badRef.statusCode()).isEqualTo(400);
    assertThat(badRef.body()).contains("patient: a reference");

    assertThat(post("/api/access/break-glass", physician, "{not json").statusCode()).isEqualTo(400);
    HttpResponse<String> unknown =
        post(
            "/api/access/break-glass",
            physician,
            "{\"patient\":\"Patient/"
                + UUID.randomUUID()
                + "\",\"reason\":\"unresponsive on arrival, no ID\"}");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.body()).contains("no such patient");

    HttpResponse<String> desk =
        post(
            "/api/access/break-glass",
            frontDesk,
            "{\"patient\":\"Patient/"
                + patient
                + "\",\"reason\":\"the patient is at the desk now\"}");
    assertThat(desk.statusCode()).isEqualTo(403);
    assertThat(desk.body()).contains("ROLE_NOT_PERMITTED");
    assertThat(
            jdbc.queryForObject(
                "select count(*) from audit_event where action = 'BREAK_GLASS' and outcome = 'DENY'",
                Long.class))
        .isEqualTo(1);

    HttpResponse<String> noToken =
        http.send(
            HttpRequest.newBuilder(server.baseUri().resolve("/api/access/break-glass"))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .header("Content-Type", "application/json")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(noToken.statusCode()).isEqualTo(401);
    assertThat(
            post(
                    "/api/access/break-glass/not-an-id/review",
                    compliance,
                    "{\"verdict\":\"appropriate\",\"note\":\"x\"}")
                .statusCode())
        .isEqualTo(400);
    assertThat(
            post(
                    "/api/access/break-glass/" + UUID.randomUUID() + "/review",
                    compliance,
                    "{\"verdict\":\"appropriate\",\"note\":\"x\"}")
                .statusCode())
        .isEqualTo(404);
  }

  static HttpResponse<String> post(String path, String token, String json) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.baseUri() + path.substring(1)))
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token)
            .header("User-Agent", "break-glass-test")
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(String path, String token) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.baseUri() + path.substring(1)))
            .header("Authorization", "Bearer " + token)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
