package org.phylax.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.access.AccessAction;
import org.phylax.access.AccessDenied;
import org.phylax.access.BreakGlassOpened;
import org.phylax.access.Denial;
import org.phylax.identity.Account;
import org.phylax.identity.Accounts;
import org.phylax.identity.Actor;
import org.phylax.identity.NewAccount;
import org.phylax.identity.Role;
import org.phylax.oauth.UserTokens;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.TestServers;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Alerts over real HTTP with real tokens: the access module's events (published here through the
 * application context, as the access module will) become alerts that a compliance officer lists,
 * pages through and acknowledges; other roles are refused; every read and change is audited.
 */
class AlertsIntegrationTests {

  @TempDir static Path dir;
  static PhylaxServer server;
  static JdbcTemplate jdbc;
  static Account officer;
  static Account physician;
  static String officerToken;
  static String physicianToken;
  static final HttpClient http = HttpClient.newHttpClient();
  static final String PASSWORD = "violet-harbour-tractor-47";

  @BeforeAll
  static void start() {
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    server = TestServers.dev(dir);
    jdbc = server.context().getBean(JdbcTemplate.class);
    Accounts accounts = server.context().getBean(Accounts.class);
    UserTokens tokens = server.context().getBean(UserTokens.class);
    Actor admin = Actor.operator("tester");
    officer =
        accounts.create(
            NewAccount.builder("officer-alerts")
                .role(Role.COMPLIANCE_OFFICER)
                .password(PASSWORD)
                .build(),
            admin);
    physician =
        accounts.create(
            NewAccount.builder("physician-alerts")
                .role(Role.PHYSICIAN)
                .practitioner(UUID.randomUUID())
                .password(PASSWORD)
                .build(),
            admin);
    officerToken = tokens.issue(officer.username(), Duration.ofMinutes(30), "tester").token();
    physicianToken = tokens.issue(physician.username(), Duration.ofMinutes(30), "tester").token();
  }

  @AfterAll
  static void stop() {
    server.close();
    System.clearProperty("phylax.audit.checkpoint-poll");
  }

  private static AccessDenied denied(UUID patient, Denial.Rule rule, Instant at) {
    return new AccessDenied(
        at,
        physician.id(),
        physician.id().toString(),
        Set.of("physician"),
        patient,
        "Observation",
        AccessAction.READ,
        rule,
        "198.51.100.7");
  }

  private static void publish(Object event) {
    server.context().publishEvent(event);
  }

  private static HttpResponse<String> get(String path, String token) throws Exception {
    return http.send(
        HttpRequest.newBuilder(server.baseUri().resolve(path))
            .header("Authorization", "Bearer " + token)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> acknowledge(String id, String body, String token)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(server.baseUri().resolve("/api/alerts/" + id + "/acknowledge"))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject json(HttpResponse<String> response) {
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }

  /** Every alert the officer can list with {@code query}, following the cursor page by page. */
  private static List<JsonObject> all(String query, int limit) throws Exception {
    List<JsonObject> out = new ArrayList<>();
    String cursor = null;
    do {
      HttpResponse<String> page =
          get(
              "/api/alerts?limit=" + limit + query + (cursor == null ? "" : "&cursor=" + cursor),
              officerToken);
      assertThat(page.statusCode()).isEqualTo(200);
      JsonArray alerts = json(page).getAsJsonArray("alerts");
      assertThat(alerts.size()).isLessThanOrEqualTo(limit);
      alerts.forEach(a -> out.add(a.getAsJsonObject()));
      cursor = json(page).has("next") ? json(page).get("next").getAsString() : null;
    } while (cursor != null);
    return out;
  }

  private static List<JsonObject> ofPatient(List<JsonObject> alerts, UUID patient) {
    return alerts.stream()
        .filter(
            a -> a.has("patientId") && a.get("patientId").getAsString().equals(patient.toString()))
        .toList();
  }

  private static void assertProblem(HttpResponse<String> response, int status, String detail) {
    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/problem+json");
    assertThat(json(response).get("status").getAsInt()).isEqualTo(status);
    assertThat(json(response).get("detail").getAsString()).contains(detail);
    assertThat(response.body()).doesNotContain("Exception").doesNotContain("at org.");
  }

  private static long audited(String action, String outcome, String actor) {
    return jdbc.queryForObject(
        "select count(*) from audit_event where action = ? and outcome = ? and actor_user = ?"
            + " and entity_type = 'Alert'",
        Long.class,
        action,
        outcome,
        actor);
  }

  @Test
  void accessDeniedWhenPublishedThenListedForTheComplianceOfficerAndTheReadIsAudited()
      throws Exception {
    UUID patient = UUID.randomUUID();
    Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    publish(denied(patient, Denial.Rule.NO_RELATIONSHIP, at));
    publish(denied(patient, Denial.Rule.CONSENT_DENIED, at.plusMillis(1)));
    long readsBefore = audited("AUDIT_READ", "SUCCESS", officer.id().toString());

    HttpResponse<String> response = get("/api/alerts?status=open", officerToken);

    assertThat(response.statusCode()).isEqualTo(200);
    List<JsonObject> listed = new ArrayList<>();
    json(response).getAsJsonArray("alerts").forEach(a -> listed.add(a.getAsJsonObject()));
    List<JsonObject> mine = ofPatient(listed, patient);
    assertThat(mine).hasSize(2);
    JsonObject consent = mine.get(0); // newest first
    assertThat(consent.get("rule").getAsString()).isEqualTo("CONSENT_DENIED");
    assertThat(consent.get("severity").getAsString()).isEqualTo("HIGH");
    assertThat(consent.get("kind").getAsString()).isEqualTo("ACCESS_DENIED");
    assertThat(consent.get("status").getAsString()).isEqualTo("OPEN");
    assertThat(consent.get("accountId").getAsString()).isEqualTo(physician.id().toString());
    assertThat(consent.get("actor").getAsString()).isEqualTo(physician.id().toString());
    assertThat(consent.getAsJsonArray("roles").get(0).getAsString()).isEqualTo("physician");
    assertThat(consent.get("resourceType").getAsString()).isEqualTo("Observation");
    assertThat(consent.get("action").getAsString()).isEqualTo("READ");
    assertThat(consent.get("sourceIp").getAsString()).isEqualTo("198.51.100.7");
    assertThat(Instant.parse(consent.get("createdAt").getAsString())).isEqualTo(at.plusMillis(1));
    JsonObject noRelationship = mine.get(1);
    assertThat(noRelationship.get("rule").getAsString()).isEqualTo("NO_RELATIONSHIP");
    assertThat(noRelationship.get("severity").getAsString()).isEqualTo("MEDIUM");
    assertThat(audited("AUDIT_READ", "SUCCESS", officer.id().toString()))
        .isEqualTo(readsBefore + 1);
  }

  @Test
  void breakGlassWhenPublishedThenHighAlertNamesTheGrantAndTheConsentOverride() throws Exception {
    UUID patient = UUID.randomUUID();
    UUID grant = UUID.randomUUID();
    Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    publish(
        new BreakGlassOpened(
            at, grant, physician.id(), patient, at.plus(Duration.ofHours(1)), true));

    List<JsonObject> mine = ofPatient(all("&status=open", 100), patient);

    assertThat(mine).hasSize(1);
    JsonObject alert = mine.get(0);
    assertThat(alert.get("kind").getAsString()).isEqualTo("BREAK_GLASS");
    assertThat(alert.get("severity").getAsString()).isEqualTo("HIGH");
    assertThat(alert.get("grantId").getAsString()).isEqualTo(grant.toString());
    assertThat(alert.get("overridesConsentDenial").getAsBoolean()).isTrue();
    assertThat(Instant.parse(alert.get("grantExpiresAt").getAsString()))
        .isEqualTo(at.plus(Duration.ofHours(1)));
    assertThat(alert.getAsJsonArray("roles").get(0).getAsString()).isEqualTo("physician");
  }

  @Test
  void alertsWhenCallerIsAPhysicianThenForbiddenAndTheRefusalIsAudited() throws Exception {
    long refusalsBefore = audited("AUDIT_READ", "DENY", physician.id().toString());

    assertProblem(get("/api/alerts", physicianToken), 403, "compliance_officer");
    assertProblem(
        acknowledge(UUID.randomUUID().toString(), "{\"note\":\"x\"}", physicianToken),
        403,
        "compliance_officer");

    assertThat(audited("AUDIT_READ", "DENY", physician.id().toString()))
        .isEqualTo(refusalsBefore + 1);
    assertThat(audited("ADMIN", "DENY", physician.id().toString())).isPositive();
  }

  @Test
  void acknowledgeThenStatusChangesOnceAndIsAudited() throws Exception {
    UUID patient = UUID.randomUUID();
    publish(denied(patient, Denial.Rule.ROLE_NOT_PERMITTED, Instant.now()));
    String id = ofPatient(all("&status=open", 200), patient).get(0).get("id").getAsString();

    HttpResponse<String> done =
        acknowledge(id, "{\"note\":\"Asked Dr. Synth; wrong chart opened.\"}", officerToken);

    assertThat(done.statusCode()).isEqualTo(200);
    assertThat(json(done).get("status").getAsString()).isEqualTo("ACKNOWLEDGED");
    assertThat(json(done).get("acknowledgedBy").getAsString()).isEqualTo(officer.id().toString());
    assertThat(json(done).get("note").getAsString())
        .isEqualTo("Asked Dr. Synth; wrong chart opened.");
    assertThat(ofPatient(all("&status=open", 200), patient)).isEmpty();
    assertThat(ofPatient(all("&status=acknowledged", 200), patient))
        .singleElement()
        .satisfies(a -> assertThat(a.get("acknowledgedAt").getAsString()).isNotBlank());
    assertThat(
            jdbc.queryForObject(
                "select count(*) from audit_event where action = 'ADMIN' and outcome = 'SUCCESS'"
                    + " and actor_user = ? and actor_role = 'compliance_officer'"
                    + " and entity_type = 'Alert' and entity_id = ? and patient_id = ?",
                Long.class,
                officer.id().toString(),
                id,
                patient))
        .isEqualTo(1);
    // The note is kept encrypted; the audit log does not repeat it.
    assertThat(
            jdbc.queryForObject(
                "select position(convert_to('wrong chart', 'UTF8') in note) from alert where id = ?",
                Integer.class,
                UUID.fromString(id)))
        .isZero();

    assertProblem(acknowledge(id, "{\"note\":\"again\"}", officerToken), 409, "already");
  }

  @Test
  void listWhenPagedThenEveryAlertComesOnceNewestFirst() throws Exception {
    UUID patient = UUID.randomUUID();
    Instant start = Instant.now();
    for (int i = 0; i < 5; i++) {
      publish(denied(patient, Denial.Rule.NO_RELATIONSHIP, start.plusMillis(i)));
    }

    List<JsonObject> paged = all("", 2);

    Set<String> ids = new HashSet<>();
    paged.forEach(a -> assertThat(ids.add(a.get("id").getAsString())).isTrue());
    List<JsonObject> mine = ofPatient(paged, patient);
    assertThat(mine).hasSize(5);
    assertThat(mine.stream().map(a -> Instant.parse(a.get("createdAt").getAsString())).toList())
        .isSortedAccordingTo((a, b) -> b.compareTo(a));
  }

  @Test
  void badInputThenProblemSayingWhatIsWrong() throws Exception {
    assertProblem(
        acknowledge(UUID.randomUUID().toString(), "{\"note\":\"x\"}", officerToken),
        404,
        "no alert");
    assertProblem(acknowledge("not-a-uuid", "{\"note\":\"x\"}", officerToken), 400, "UUID");
    UUID patient = UUID.randomUUID();
    publish(denied(patient, Denial.Rule.NO_RELATIONSHIP, Instant.now()));
    String id = ofPatient(all("&status=open", 200), patient).get(0).get("id").getAsString();
    assertProblem(acknowledge(id, "{\"note\":\"  \"}", officerToken), 400, "note");
    assertProblem(acknowledge(id, "{not json", officerToken), 400, "note");
    assertProblem(get("/api/alerts?status=closed", officerToken), 400, "status");
    assertProblem(get("/api/alerts?limit=0", officerToken), 400, "limit");
    assertProblem(get("/api/alerts?limit=many", officerToken), 400, "limit");
    assertProblem(get("/api/alerts?cursor=xyz", officerToken), 400, "cursor");
    assertThat(ofPatient(all("&status=open", 200), patient)).hasSize(1);
  }

  @Test
  void alertRowWhenTheApplicationTriesToDeleteOrRewriteItThenRefused() {
    UUID patient = UUID.randomUUID();
    publish(denied(patient, Denial.Rule.CONSENT_DENIED, Instant.now()));
    // The pool works as phylax_app.
    assertThatThrownBy(() -> jdbc.update("delete from alert where patient_id = ?", patient))
        .rootCause()
        .hasMessageContaining("permission denied");
    assertThatThrownBy(
            () -> jdbc.update("update alert set severity = 'LOW' where patient_id = ?", patient))
        .rootCause()
        .hasMessageContaining("only be acknowledged");
  }
}
