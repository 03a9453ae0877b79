package org.phylax.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Schedule;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.access.AccessTable;
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
 * Schedules and slots over /fhir with real tokens: {@code $generate-slots} opens the right UTC
 * instants from weekly rules in the schedule's IANA zone (an ordinary week, the spring-forward and
 * fall-back weeks of New York in 2027, a day off), adds nothing twice when run again, and is for
 * the schedule's own practitioner and the front desk only; the free-slot search leaves out slots
 * whose time an appointment holds; booking an appointment on a slot makes it busy, a second booking
 * of it is a 409, and cancelling frees it.
 */
class SlotSchedulingIntegrationTests {

  static final String ZONE_URL = "http://hl7.org/fhir/StructureDefinition/timezone";
  static final String PASSWORD = "copper-meadow-lantern-82";
  static final FhirContext fhir = FhirContext.forR4Cached();

  @TempDir static Path dir;
  static PhylaxServer server;
  static FhirHttp web;
  static JdbcTemplate jdbc;
  static RecordStore store;
  static Permit system;
  static UUID clinic;
  static UUID doctor;
  static UUID otherDoctor;
  static UUID patient;
  static UUID otherPatient;
  static String doctorToken;
  static String otherDoctorToken;
  static String frontDeskToken;
  static String patientToken;

  @BeforeAll
  static void start() {
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    server = TestServers.dev(dir);
    web = new FhirHttp(server.baseUri(), "slots-test");
    jdbc = server.context().getBean(JdbcTemplate.class);
    store = server.context().getBean(RecordStore.class);
    system = server.context().getBean(SystemAccess.class).forTask("test");
    clinic = store.create(system, AccessTable.organization("Synthetic Slot Clinic")).id();
    doctor = store.create(system, AccessTable.practitioner("Hourglass")).id();
    store.create(system, AccessTable.role(doctor, clinic));
    otherDoctor = store.create(system, AccessTable.practitioner("Sundial")).id();
    store.create(system, AccessTable.role(otherDoctor, clinic));
    UUID desk = store.create(system, AccessTable.practitioner("Ledgerly")).id();
    store.create(system, AccessTable.role(desk, clinic));
    Patient p = AccessTable.patient("Waitwell");
    p.setManagingOrganization(AccessTable.ref("Organization", clinic));
    patient = store.create(system, p).id();
    Patient q = AccessTable.patient("Queueby");
    q.setManagingOrganization(AccessTable.ref("Organization", clinic));
    otherPatient = store.create(system, q).id();
    doctorToken = user("slot-doctor", Role.PHYSICIAN, doctor, null);
    otherDoctorToken = user("slot-other-doctor", Role.PHYSICIAN, otherDoctor, null);
    frontDeskToken = user("slot-desk", Role.FRONT_DESK, desk, null);
    patientToken = user("slot-patient", Role.PATIENT, null, patient);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    System.clearProperty("phylax.audit.checkpoint-poll");
  }

  @Test
  void generateWhenWeekdayMorningsOverOrdinaryWeekThenFortyFiveSlotsOnceOnly() throws Exception {
    UUID schedule = schedule(doctor, "America/New_York");
    String body = parameters("2027-04-12", "2027-04-18", List.of());

    HttpResponse<String> first = generate(doctorToken, schedule, body);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(count(first, "created")).isEqualTo(45);
    HttpResponse<String> again = generate(frontDeskToken, schedule, body);
    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    assertThat(count(again, "created")).isZero();
    assertThat(count(again, "existing")).isEqualTo(45);

    assertThat(
            jdbc.queryForObject(
                "select count(*) from record_slot where schedule_id = ?", Long.class, schedule))
        .isEqualTo(45);
    List<Instant> starts = free(doctorToken, schedule, "2027-04-12", "2027-04-19");
    assertThat(starts).hasSize(45).doesNotHaveDuplicates();
    assertThat(starts.get(0)).isEqualTo(Instant.parse("2027-04-12T13:00:00Z"));
    assertThat(starts.get(8)).isEqualTo(Instant.parse("2027-04-12T15:40:00Z"));
    assertThat(starts.get(44)).isEqualTo(Instant.parse("2027-04-16T15:40:00Z"));
  }

  @Test
  void generateWhenWeeksSpanDaylightSavingChangesThenInstantsFollowTheOffset() throws Exception {
    UUID schedule = schedule(doctor, "America/New_York");

    // Two weeks around Sunday 2027-03-14, when New York springs forward (-05:00 to -04:00).
    HttpResponse<String> spring =
        generate(frontDeskToken, schedule, parameters("2027-03-08", "2027-03-21", List.of()));
    assertThat(count(spring, "created")).as(spring.body()).isEqualTo(90);
    List<Instant> march = free(frontDeskToken, schedule, "2027-03-08", "2027-03-22");
    assertThat(march).hasSize(90);
    assertThat(march.get(0)).isEqualTo(Instant.parse("2027-03-08T14:00:00Z"));
    assertThat(march.get(44)).isEqualTo(Instant.parse("2027-03-12T16:40:00Z"));
    assertThat(march.get(45)).isEqualTo(Instant.parse("2027-03-15T13:00:00Z"));

    // Two weeks around Sunday 2027-11-07, when it falls back, with Wednesday the 10th off.
    HttpResponse<String> fall =
        generate(
            frontDeskToken,
            schedule,
            parameters("2027-11-01", "2027-11-14", List.of("2027-11-10")));
    assertThat(count(fall, "created")).as(fall.body()).isEqualTo(81);
    List<Instant> november = free(frontDeskToken, schedule, "2027-11-01", "2027-11-15");
    assertThat(november).hasSize(81);
    assertThat(november.get(0)).isEqualTo(Instant.parse("2027-11-01T13:00:00Z"));
    assertThat(november.get(45)).isEqualTo(Instant.parse("2027-11-08T14:00:00Z"));
    assertThat(november)
        .as("the day off has no slots")
        .noneMatch(
            i -> i.atOffset(ZoneOffset.UTC).toLocalDate().equals(LocalDate.of(2027, 11, 10)));
  }

  @Test
  void generateWhenNotTheSchedulesPractitionerOrNoZoneThenRefused() throws Exception {
    UUID schedule = schedule(doctor, "Europe/Berlin");
    String body = parameters("2027-05-03", "2027-05-07", List.of());

    HttpResponse<String> other = generate(otherDoctorToken, schedule, body);
    assertThat(other.statusCode()).as(other.body()).isEqualTo(403);
    assertThat(FhirHttp.outcome(other)).isNotBlank();
    HttpResponse<String> asPatient = generate(patientToken, schedule, body);
    assertThat(asPatient.statusCode()).as(asPatient.body()).isEqualTo(403);
    assertThat(
            jdbc.queryForObject(
                "select count(*) from record_slot where schedule_id = ?", Long.class, schedule))
        .isZero();
    assertThat(
            jdbc.queryForObject(
                "select count(*) from audit_event where entity_type = 'Slot' and outcome = 'DENY'"
                    + " and actor_user = (select id::text from user_account"
                    + " where username = 'slot-other-doctor')",
                Long.class))
        .as("the refusal is audited")
        .isEqualTo(1);

    Schedule noZone = new Schedule();
    noZone.addActor(AccessTable.ref("Practitioner", doctor));
    HttpResponse<String> refused =
        web.send("POST", "/fhir/Schedule", frontDeskToken, encode(noZone));
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
    assertThat(FhirHttp.outcome(refused)).contains(ZONE_URL);
    noZone.addExtension(ZONE_URL, new CodeType("Mars/Olympus_Mons"));
    HttpResponse<String> invalid =
        web.send("POST", "/fhir/Schedule", frontDeskToken, encode(noZone));
    assertThat(invalid.statusCode()).as(invalid.body()).isEqualTo(422);
  }

  @Test
  void searchWhenAnAppointmentHoldsThePractitionersTimeThenThatSlotIsNotFree() throws Exception {
    UUID schedule = schedule(otherDoctor, "America/Chicago");
    generate(frontDeskToken, schedule, parameters("2027-06-07", "2027-06-07", List.of()));
    assertThat(free(frontDeskToken, schedule, "2027-06-07", "2027-06-08")).hasSize(9);

    // Booked straight onto the practitioner, not through a slot: 09:10-09:30 Chicago time.
    Appointment a = appointment(otherPatient, otherDoctor, "2027-06-07T14:10:00Z", 20);
    HttpResponse<String> booked = web.send("POST", "/fhir/Appointment", frontDeskToken, encode(a));
    assertThat(booked.statusCode()).as(booked.body()).isEqualTo(201);

    List<Instant> left = free(patientToken, schedule, "2027-06-07", "2027-06-08");
    assertThat(left)
        .hasSize(7)
        .doesNotContain(
            Instant.parse("2027-06-07T14:00:00Z"), Instant.parse("2027-06-07T14:20:00Z"))
        .contains(Instant.parse("2027-06-07T14:40:00Z"));
  }

  @Test
  void bookWhenAppointmentTakesASlotThenBusyUntilCancelledAndTakenOnlyOnce() throws Exception {
    UUID schedule = schedule(doctor, "Europe/Berlin");
    generate(doctorToken, schedule, parameters("2027-07-05", "2027-07-05", List.of()));
    JsonObject first = firstFree(schedule, "2027-07-05", "2027-07-06");
    String slotId = first.get("id").getAsString();
    Instant start = Instant.parse(first.get("start").getAsString());
    assertThat(start).isEqualTo(Instant.parse("2027-07-05T07:00:00Z"));

    // A patient books the slot for themselves.
    Appointment mine = appointment(patient, doctor, start.toString(), 20);
    mine.addSlot(AccessTable.ref("Slot", UUID.fromString(slotId)));
    HttpResponse<String> booked = web.send("POST", "/fhir/Appointment", patientToken, encode(mine));
    assertThat(booked.statusCode()).as(booked.body()).isEqualTo(201);
    assertThat(slotStatus(slotId)).isEqualTo("busy");
    assertThat(free(patientToken, schedule, "2027-07-05", "2027-07-06"))
        .hasSize(8)
        .doesNotContain(start);

    // Nobody takes it again, not even without naming the practitioner.
    Appointment again = new Appointment();
    again.setStatus(Appointment.AppointmentStatus.BOOKED);
    again.setStart(Date.from(start)).setEnd(Date.from(start.plusSeconds(1200)));
    again.addParticipant().setActor(AccessTable.ref("Patient", otherPatient));
    again.addSlot(AccessTable.ref("Slot", UUID.fromString(slotId)));
    HttpResponse<String> twice =
        web.send("POST", "/fhir/Appointment", frontDeskToken, encode(again));
    assertThat(twice.statusCode()).as(twice.body()).isEqualTo(409);
    assertThat(FhirHttp.outcome(twice)).contains(slotId).doesNotContain("Queueby");

    // A patient books only for themselves, and only through a slot.
    Appointment forOther = appointment(otherPatient, doctor, "2027-07-05T07:20:00Z", 20);
    forOther.addSlot(AccessTable.ref("Slot", UUID.fromString(firstFreeId(schedule))));
    HttpResponse<String> notMine =
        web.send("POST", "/fhir/Appointment", patientToken, encode(forOther));
    assertThat(notMine.statusCode()).as(notMine.body()).isEqualTo(403);
    HttpResponse<String> noSlot =
        web.send(
            "POST",
            "/fhir/Appointment",
            patientToken,
            encode(appointment(patient, doctor, "2027-07-05T09:00:00Z", 20)));
    assertThat(noSlot.statusCode()).as(noSlot.body()).isEqualTo(422);

    // Cancelling gives the slot back.
    Appointment stored = fhir.newJsonParser().parseResource(Appointment.class, booked.body());
    stored.setStatus(Appointment.AppointmentStatus.CANCELLED);
    HttpResponse<String> cancelled =
        web.send(
            "PUT",
            "/fhir/Appointment/" + stored.getIdElement().getIdPart(),
            patientToken,
            encode(stored));
    assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
    assertThat(slotStatus(slotId)).isEqualTo("free");
    assertThat(free(patientToken, schedule, "2027-07-05", "2027-07-06")).hasSize(9).contains(start);
    HttpResponse<String> retaken =
        web.send("POST", "/fhir/Appointment", frontDeskToken, encode(again));
    assertThat(retaken.statusCode()).as(retaken.body()).isEqualTo(201);
    assertThat(slotStatus(slotId)).isEqualTo("busy");
  }

  static JsonObject firstFree(UUID schedule, String from, String to) throws Exception {
    HttpResponse<String> r =
        web.send(
            "GET",
            "/fhir/Slot?schedule=Schedule/"
                + schedule
                + "&status=free&start=ge"
                + from
                + "&start=lt"
                + to
                + "&_count=1",
            frontDeskToken,
            null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return FhirHttp.json(r)
        .getAsJsonArray("entry")
        .get(0)
        .getAsJsonObject()
        .getAsJsonObject("resource");
  }

  static String firstFreeId(UUID schedule) throws Exception {
    return firstFree(schedule, "2027-07-05", "2027-07-06").get("id").getAsString();
  }

  static String slotStatus(String slotId) throws Exception {
    HttpResponse<String> r = web.send("GET", "/fhir/Slot/" + slotId, frontDeskToken, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return FhirHttp.json(r).get("status").getAsString();
  }

  // ------------------------------------------------------------------------------------ helpers

  static String user(String name, Role role, UUID practitioner, UUID patientId) {
    NewAccount.Builder b = NewAccount.builder(name).role(role).password(PASSWORD);
    if (practitioner != null) {
      b.practitioner(practitioner);
    }
    if (patientId != null) {
      b.patient(patientId);
    }
    server.context().getBean(Accounts.class).create(b.build(), Actor.operator("tester"));
    return server
        .context()
        .getBean(UserTokens.class)
        .issue(name, Duration.ofMinutes(30), "tester")
        .token();
  }

  static UUID schedule(UUID practitioner, String zone) {
    Schedule s = new Schedule();
    s.addActor(AccessTable.ref("Practitioner", practitioner));
    s.addExtension(ZONE_URL, new CodeType(zone));
    return store.create(system, s).id();
  }

  /** Monday to Friday, 09:00 to 12:00 local time, in 20-minute slots. */
  static String parameters(String start, String end, List<String> daysOff) {
    JsonObject body = new JsonObject();
    body.addProperty("resourceType", "Parameters");
    JsonArray parameters = new JsonArray();
    parameters.add(valued("start", "valueDate", start));
    parameters.add(valued("end", "valueDate", end));
    for (String day : daysOff) {
      parameters.add(valued("dayOff", "valueDate", day));
    }
    JsonObject rule = new JsonObject();
    rule.addProperty("name", "rule");
    JsonArray parts = new JsonArray();
    for (String day : List.of("mon", "tue", "wed", "thu", "fri")) {
      parts.add(valued("day", "valueCode", day));
    }
    parts.add(valued("start", "valueTime", "09:00:00"));
    parts.add(valued("end", "valueTime", "12:00:00"));
    JsonObject minutes = new JsonObject();
    minutes.addProperty("name", "minutes");
    minutes.addProperty("valueInteger", 20);
    parts.add(minutes);
    rule.add("part", parts);
    parameters.add(rule);
    body.add("parameter", parameters);
    return body.toString();
  }

  static JsonObject valued(String name, String type, String value) {
    JsonObject o = new JsonObject();
    o.addProperty("name", name);
    o.addProperty(type, value);
    return o;
  }

  static HttpResponse<String> generate(String token, UUID schedule, String body) throws Exception {
    return web.send("POST", "/fhir/Schedule/" + schedule + "/$generate-slots", token, body);
  }

  static int count(HttpResponse<String> response, String name) {
    for (JsonElement p : FhirHttp.json(response).getAsJsonArray("parameter")) {
      if (p.getAsJsonObject().get("name").getAsString().equals(name)) {
        return p.getAsJsonObject().get("valueInteger").getAsInt();
      }
    }
    throw new AssertionError("no " + name + " in " + response.body());
  }

  /** The starts of the schedule's free slots from {@code from} to before {@code to}, all pages. */
  static List<Instant> free(String token, UUID schedule, String from, String to) throws Exception {
    List<Instant> out = new ArrayList<>();
    String url =
        "/fhir/Slot?schedule=Schedule/"
            + schedule
            + "&status=free&start=ge"
            + from
            + "&start=lt"
            + to
            + "&_count=40";
    while (url != null) {
      HttpResponse<String> r = web.send("GET", url, token, null);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonObject bundle = FhirHttp.json(r);
      if (bundle.has("entry")) {
        for (JsonElement e : bundle.getAsJsonArray("entry")) {
          JsonObject slot = e.getAsJsonObject().getAsJsonObject("resource");
          assertThat(slot.get("status").getAsString()).isEqualTo("free");
          out.add(Instant.parse(slot.get("start").getAsString()));
        }
      }
      url = null;
      for (JsonElement l : bundle.getAsJsonArray("link")) {
        if (l.getAsJsonObject().get("relation").getAsString().equals("next")) {
          url = l.getAsJsonObject().get("url").getAsString();
        }
      }
    }
    return out;
  }

  static Appointment appointment(UUID patientId, UUID practitioner, String start, int minutes) {
    Appointment a = new Appointment();
    a.setStatus(Appointment.AppointmentStatus.BOOKED);
    Instant s = Instant.parse(start);
    a.setStart(Date.from(s)).setEnd(Date.from(s.plusSeconds(60L * minutes)));
    a.addParticipant()
        .setActor(AccessTable.ref("Patient", patientId))
        .setStatus(Appointment.ParticipationStatus.ACCEPTED);
    a.addParticipant()
        .setActor(AccessTable.ref("Practitioner", practitioner))
        .setStatus(Appointment.ParticipationStatus.ACCEPTED);
    return a;
  }

  static String encode(org.hl7.fhir.r4.model.Resource r) {
    return fhir.newJsonParser().encodeResourceToString(r);
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
