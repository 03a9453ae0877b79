package org.phylax.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Coverage;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Slot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.phylax.access.AccessTable;
import org.phylax.access.Permit;
import org.phylax.access.SystemAccess;
import org.phylax.identity.Accounts;
import org.phylax.identity.Actor;
import org.phylax.identity.NewAccount;
import org.phylax.oauth.OAuthClients;
import org.phylax.oauth.UserTokens;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.TestServers;
import org.phylax.records.RecordStore;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The access-control table ({@link AccessTable}, which {@code AccessPolicyIntegrationTests} decides
 * in process) as real FHIR calls with real bearer tokens: a permit answers the resource, a denial
 * answers 403 with an OperationOutcome that names the rule and no patient's data, is audited as a
 * DENY with that rule (a permit as a PERMIT with the table's reason) and raises an ACCESS_DENIED
 * alert, and changes nothing.
 *
 * <p>How a row becomes a request: READ is {@code GET /fhir/T/id}, UPDATE a {@code PUT} of the
 * stored body, DELETE a {@code DELETE}, CREATE a {@code POST}, SEARCH {@code GET /fhir/T?_id=…},
 * EXPORT a Patient-level {@code $export} of that type. Each row gets a resource of its own, written
 * for it beforehand. A row of a patient-owned type that names no patient (an update or create "of
 * nobody" in process) cannot be said over HTTP, where the body names its patient: it is asked about
 * P4, to whom the row's subject has no relationship either. Basic is a type the API does not serve,
 * so its row is refused before any decision (404, no audit event of a decision).
 */
class FhirAccessTableIntegrationTests {

  @TempDir static Path dir;
  static PhylaxServer server;
  static FhirHttp web;
  static RecordStore store;
  static Permit system;
  static JdbcTemplate jdbc;
  static Accounts accounts;
  static final FhirContext fhir = FhirContext.forR4Cached();
  static final HttpClient http = HttpClient.newHttpClient();
  static final String PASSWORD = "violet-harbour-tractor-47";
  static final Actor ADMIN = Actor.operator("tester");
  static final Map<String, UUID> ids = new HashMap<>();
  static final Map<String, AccessTable.User> users = AccessTable.users();

  /** Bearer token, audit actor (account id or client id) and username of each subject. */
  static final Map<String, String> tokens = new HashMap<>();

  static final Map<String, String> actors = new HashMap<>();
  static final Map<String, String> usernames = new HashMap<>();

  @BeforeAll
  static void start() throws Exception {
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    // A disabled account's token stays accepted by the token check this long after its last
    // check, so that the refusal comes from the policy (ACCOUNT_DISABLED), which the table is
    // about.
    System.setProperty("phylax.oauth.account-freshness", "1m");
    server = TestServers.dev(dir);
    web = new FhirHttp(server.baseUri(), "access-table-test");
    store = server.context().getBean(RecordStore.class);
    system = server.context().getBean(SystemAccess.class).forTask("test");
    jdbc = server.context().getBean(JdbcTemplate.class);
    accounts = server.context().getBean(Accounts.class);
    ids.putAll(AccessTable.seed(store, system));

    UserTokens userTokens = server.context().getBean(UserTokens.class);
    OAuthClients clients = server.context().getBean(OAuthClients.class);
    for (AccessTable.User u : users.values()) {
      if (u.isService()) {
        OAuthClients.Registered client = clients.addService(u.who(), u.scopes(), "os:tester");
        tokens.put(u.who(), clientToken(client, String.join(" ", u.scopes())));
        actors.put(u.who(), client.clientId());
        continue;
      }
      String username = u.who().replace(' ', '-');
      NewAccount.Builder b = NewAccount.builder(username).role(u.role()).password(PASSWORD);
      if (u.practitioner() != null) {
        b.practitioner(ids.get(u.practitioner()));
      }
      if (u.patient() != null) {
        b.patient(ids.get(u.patient()));
      }
      actors.put(u.who(), accounts.create(b.build(), ADMIN).id().toString());
      usernames.put(u.who(), username);
      // Issued while active; a row of a disabled account disables it just before its request.
      tokens.put(u.who(), userTokens.issue(username, Duration.ofMinutes(30), "tester").token());
    }
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    System.clearProperty("phylax.audit.checkpoint-poll");
    System.clearProperty("phylax.oauth.account-freshness");
  }

  static Stream<Arguments> table() {
    return AccessTable.rows().stream().map(AccessTable.Row::arguments);
  }

  @ParameterizedTest(name = "{0} {1} {2} of {3} -> {4}")
  @MethodSource("table")
  void requestWhenTableRowThenPermitAnswersTheResourceAndDenialA403AuditedAndAlerted(
      String who, String action, String type, String patientKey, String expected) throws Exception {
    AccessTable.Row row = new AccessTable.Row(who, action, type, patientKey, expected);
    AccessTable.User user = users.get(who);
    String token = tokens.get(who);
    UUID patient = patientOf(row);
    if (user.status() != org.phylax.identity.AccountStatus.ACTIVE) {
      disableAfterATokenCheck(who);
    }
    long auditBefore = max("audit_event", "seq");
    long alertsBefore = max("alert", "seq");

    Target target = target(row, patient);
    HttpResponse<String> response = send(target.method, target.path, token, target.body);

    if ("Basic".equals(type)) {
      assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
      assertOperationOutcome(response, "processing"); // HAPI: unknown resource type
      assertThat(max("audit_event", "seq")).isEqualTo(auditBefore);
      return;
    }
    if (row.permits()) {
      assertPermitted(row, target, response, token, patient);
      assertThat(events("DENY", row, auditBefore)).as("DENY events").isZero();
      // Audited as permitted, with the table's reason.
      assertThat(events("PERMIT", row, auditBefore)).as("PERMIT events").isPositive();
      return;
    }
    assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
    JsonObject issue = assertOperationOutcome(response, "forbidden");
    assertThat(issue.get("diagnostics").getAsString()).contains("(" + row.outcome() + ")");
    for (String name : AccessTable.PATIENT_NAMES) {
      assertThat(response.body()).doesNotContain(name);
    }
    if (patient != null) {
      assertThat(response.body()).doesNotContain(patient.toString());
    }
    // Audited as refused, with the rule, about the patient asked for.
    assertThat(events("DENY", row, auditBefore)).as("DENY events").isEqualTo(1);
    if (patient != null && row.action().equals("READ")) {
      assertThat(
              jdbc.queryForObject(
                  "select patient_id from audit_event where seq > ? and outcome = 'DENY'",
                  UUID.class,
                  auditBefore))
          .isEqualTo(patient);
    }
    // And raised as an alert for the compliance officers (access-control.md: every refusal).
    assertThat(
            jdbc.queryForObject(
                "select count(*) from alert where seq > ? and kind = 'ACCESS_DENIED' and rule = ?"
                    + " and resource_type = ? and action = ? and (actor = ? or actor = ?)",
                Long.class,
                alertsBefore,
                row.outcome(),
                type,
                action,
                actors.get(who),
                "client:" + actors.get(who)))
        .as("ACCESS_DENIED alerts")
        .isEqualTo(1);
    // Nothing changed.
    if (target.existing != null) {
      assertThat(store.read(system, type, target.existing).version()).isEqualTo(1);
    }
  }

  // ------------------------------------------------------------------ the request of a row

  record Target(String method, String path, String body, UUID existing) {}

  /** The row's patient; P4 for a patient-owned type asked of nobody (see the class comment). */
  static UUID patientOf(AccessTable.Row row) {
    if (row.patient() != null) {
      return ids.get(row.patient());
    }
    boolean registration = row.action().equals("CREATE") && row.type().equals("Patient");
    boolean ofNoPatient =
        Set.of("Practitioner", "Slot", "Medication", "Group").contains(row.type());
    return registration || ofNoPatient ? null : ids.get("P4");
  }

  static Target target(AccessTable.Row row, UUID patient) {
    String type = row.type();
    switch (row.action()) {
      case "CREATE" -> {
        Resource body = fresh(type, patient);
        return new Target("POST", "/fhir/" + type, encode(body), null);
      }
      case "SEARCH" -> {
        return new Target("GET", "/fhir/" + type + "?_id=" + patient, null, null);
      }
      case "EXPORT" -> {
        UUID id = existing(type, patient);
        return new Target("GET", "/fhir/Patient/$export?_type=" + type, null, id);
      }
      default -> {
        UUID id = "Basic".equals(type) ? UUID.randomUUID() : existing(type, patient);
        String path = "/fhir/" + type + "/" + id;
        return switch (row.action()) {
          case "READ" -> new Target("GET", path, null, id);
          case "UPDATE" ->
              new Target("PUT", path, encode(store.read(system, type, id).resource()), id);
          case "DELETE" -> new Target("DELETE", path, null, id);
          default -> throw new IllegalArgumentException(row.action());
        };
      }
    }
  }

  /** A resource of the type for the row alone (the Patient itself for a Patient). */
  static UUID existing(String type, UUID patient) {
    if ("Patient".equals(type)) {
      return patient;
    }
    return store.create(system, fresh(type, patient)).id();
  }

  static Resource fresh(String type, UUID patient) {
    return switch (type) {
      case "Patient" -> AccessTable.patient("Quillfeather");
      case "Practitioner" -> AccessTable.practitioner("Rowanleigh");
      case "Observation" -> {
        Observation o = new Observation();
        o.setStatus(Observation.ObservationStatus.FINAL);
        o.getCode().addCoding().setSystem("http://loinc.org").setCode("8867-4");
        o.setSubject(AccessTable.ref("Patient", patient));
        yield o;
      }
      case "Condition" -> {
        Condition c = new Condition();
        c.getCode().addCoding().setSystem("http://snomed.info/sct").setCode("38341003");
        c.setSubject(AccessTable.ref("Patient", patient));
        yield c;
      }
      case "Coverage" -> {
        Coverage c = new Coverage();
        c.setStatus(Coverage.CoverageStatus.ACTIVE);
        c.setBeneficiary(AccessTable.ref("Patient", patient));
        c.addPayor(AccessTable.ref("Organization", ids.get("clinic")));
        yield c;
      }
      case "Appointment" -> {
        Appointment a = new Appointment();
        a.setStatus(Appointment.AppointmentStatus.BOOKED);
        a.setStart(AccessTable.days(4)).setEnd(AccessTable.days(5));
        a.addParticipant()
            .setActor(AccessTable.ref("Patient", patient))
            .setStatus(Appointment.ParticipationStatus.ACCEPTED);
        yield a;
      }
      case "Slot" -> {
        Slot s = new Slot();
        s.setStatus(Slot.SlotStatus.FREE);
        s.setSchedule(AccessTable.ref("Schedule", UUID.randomUUID()));
        s.setStart(AccessTable.days(1)).setEnd(AccessTable.days(2));
        yield s;
      }
      case "Medication" -> {
        Medication m = new Medication();
        m.getCode().addCoding().setSystem("http://www.nlm.nih.gov/research/umls/rxnorm");
        m.getCode().getCodingFirstRep().setCode("197361");
        yield m;
      }
      case "Group" -> {
        // A ward list naming two of the table's patients.
        org.hl7.fhir.r4.model.Group g = new org.hl7.fhir.r4.model.Group();
        g.setType(org.hl7.fhir.r4.model.Group.GroupType.PERSON).setActual(true);
        g.addMember().setEntity(AccessTable.ref("Patient", ids.get("P1")));
        g.addMember().setEntity(AccessTable.ref("Patient", ids.get("P2")));
        yield g;
      }
      default -> throw new IllegalArgumentException("no synthetic " + type + " here");
    };
  }

  // ------------------------------------------------------------------ assertions

  static void assertPermitted(
      AccessTable.Row row, Target target, HttpResponse<String> response, String token, UUID patient)
      throws Exception {
    String type = row.type();
    switch (row.action()) {
      case "READ", "UPDATE" -> {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonObject body = json(response);
        assertThat(body.get("resourceType").getAsString()).isEqualTo(type);
        assertThat(body.get("id").getAsString()).isEqualTo(target.existing.toString());
        if (row.action().equals("UPDATE")) {
          assertThat(store.read(system, type, target.existing).version()).isEqualTo(2);
        }
      }
      case "DELETE" -> {
        assertThat(response.statusCode()).as(response.body()).isIn(200, 204);
        assertThat(send("GET", target.path, token, null).statusCode()).isEqualTo(410);
      }
      case "CREATE" -> {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        String location = response.headers().firstValue("Location").orElseThrow();
        assertThat(location).contains("/fhir/" + type + "/");
        UUID id = UUID.fromString(location.replaceAll(".*/" + type + "/([^/]+).*", "$1"));
        assertThat(store.read(system, type, id).resource().fhirType()).isEqualTo(type);
      }
      case "SEARCH" -> {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Set<String> found = new HashSet<>();
        for (JsonElement e : json(response).getAsJsonArray("entry")) {
          JsonObject r = e.getAsJsonObject().getAsJsonObject("resource");
          found.add(r.get("resourceType").getAsString() + "/" + r.get("id").getAsString());
        }
        assertThat(found).containsExactly(type + "/" + patient);
      }
      case "EXPORT" -> {
        String status = exportStatus(response);
        JsonObject manifest = poll(status, token);
        Set<String> exported = new HashSet<>();
        for (JsonElement e : manifest.getAsJsonArray("output")) {
          JsonObject output = e.getAsJsonObject();
          assertThat(output.get("type").getAsString()).isEqualTo(type);
          HttpResponse<String> file = send("GET", output.get("url").getAsString(), token, null);
          assertThat(file.statusCode()).as(file.body()).isEqualTo(200);
          for (JsonObject line :
              file.body()
                  .lines()
                  .filter(l -> !l.isBlank())
                  .map(l -> JsonParser.parseString(l).getAsJsonObject())
                  .toList()) {
            exported.add(line.get("id").getAsString());
            assertThat(line.toString()).contains("Patient/" + patient);
          }
        }
        assertThat(exported).contains(target.existing.toString());
      }
      default -> throw new IllegalArgumentException(row.action());
    }
  }

  static String exportStatus(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    return response.headers().firstValue("Content-Location").orElseThrow();
  }

  static JsonObject poll(String status, String token) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      HttpResponse<String> response = send("GET", status, token, null);
      if (response.statusCode() == 200) {
        return json(response);
      }
      assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
      assertThat(System.nanoTime()).as("export finished in time").isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  static JsonObject assertOperationOutcome(HttpResponse<String> response, String code) {
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/fhir+json"));
    JsonObject outcome = json(response);
    assertThat(outcome.get("resourceType").getAsString()).isEqualTo("OperationOutcome");
    JsonObject issue = outcome.getAsJsonArray("issue").get(0).getAsJsonObject();
    assertThat(issue.get("severity").getAsString()).isEqualTo("error");
    assertThat(issue.get("code").getAsString()).isEqualTo(code);
    return issue;
  }

  /** Audit events with this outcome of the row's subject, type, action and reason or rule. */
  static long events(String outcome, AccessTable.Row row, long after) {
    return jdbc.queryForObject(
        "select count(*) from audit_event where seq > ? and outcome = ? and entity_type = ?"
            + " and action = ? and outcome_reason = ? and (actor_user = ? or client_id = ?)",
        Long.class,
        after,
        outcome,
        row.type(),
        row.action(),
        row.outcome(),
        actors.get(row.who()),
        actors.get(row.who()));
  }

  static long max(String table, String column) {
    Long n = jdbc.queryForObject("select max(" + column + ") from " + table, Long.class);
    return n == null ? 0 : n;
  }

  /**
   * Uses the token once while the account is active (the token check then trusts it for the
   * configured freshness), then disables the account: the next request reaches the policy, which
   * reads the account fresh.
   */
  static void disableAfterATokenCheck(String who) throws Exception {
    String username = usernames.get(who);
    if (accounts.find(username).orElseThrow().status()
        != org.phylax.identity.AccountStatus.ACTIVE) {
      accounts.enable(username, ADMIN);
    }
    HttpResponse<String> warm =
        send("GET", "/fhir/Practitioner/" + ids.get("drAssigned"), tokens.get(who), null);
    assertThat(warm.statusCode()).as(warm.body()).isEqualTo(200);
    accounts.disable(username, "synthetic leave", ADMIN);
  }

  // ------------------------------------------------------------------ HTTP

  static String encode(Resource resource) {
    return fhir.newJsonParser().encodeResourceToString(resource);
  }

  static HttpResponse<String> send(String method, String path, String token, String body)
      throws Exception {
    Map<String, String> headers =
        path.contains("$export?") ? Map.of("Prefer", "respond-async") : Map.of();
    return web.send(method, path, token, body, headers);
  }

  static String clientToken(OAuthClients.Registered client, String scope) throws Exception {
    return web.serviceToken(client, scope);
  }

  static JsonObject json(HttpResponse<String> response) {
    return FhirHttp.json(response);
  }
}
