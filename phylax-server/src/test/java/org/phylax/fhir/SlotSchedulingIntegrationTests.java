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
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Location;
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
 * of it is a 409, and cancelling frees it. The appointment's life (docs/scheduling.md): the status
 * table over PUT, PATCH and a transaction, a cancellation's reason, a patient's writes held to a
 * Slot and to booking or cancelling on every path, a reschedule that moves slots atomically or
 * changes nothing, times within the slots; and every Location's time zone.
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
    stored.setCancelationReason(new org.hl7.fhir.r4.model.CodeableConcept().setText("unwell"));
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

  @Test
  void statusWhenChangedThenFollowsTheLifecycleOnEveryPathAndCancellingNeedsAReason()
      throws Exception {
    UUID schedule = schedule(doctor, "Europe/Berlin");
    generate(frontDeskToken, schedule, parameters("2027-08-02", "2027-08-02", List.of()));
    List<JsonObject> slots = freeSlots(schedule, "2027-08-02", "2027-08-03");
    Appointment a = created(frontDeskToken, onSlots(otherPatient, slots.get(0)));
    String id = a.getIdElement().getIdPart();

    // Not back to proposed, not fulfilled before arriving.
    for (Appointment.AppointmentStatus to :
        List.of(Appointment.AppointmentStatus.PROPOSED, Appointment.AppointmentStatus.FULFILLED)) {
      HttpResponse<String> refused = put(frontDeskToken, withStatus(a, to));
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
      assertThat(FhirHttp.outcome(refused))
          .contains("cannot change from booked to " + to.toCode())
          .doesNotContain("Queueby");
    }
    // Cancelling needs a reason; without one nothing changes.
    HttpResponse<String> noReason =
        put(frontDeskToken, withStatus(a, Appointment.AppointmentStatus.CANCELLED));
    assertThat(noReason.statusCode()).as(noReason.body()).isEqualTo(422);
    assertThat(FhirHttp.outcome(noReason)).contains("cancelationReason");
    assertThat(read(id).getMeta().getVersionId()).isEqualTo("1");
    assertThat(slotStatus(slots.get(0).get("id").getAsString())).isEqualTo("busy");

    // PATCH and a transaction bundle are held to the same table.
    HttpResponse<String> patched =
        patch(
            frontDeskToken,
            id,
            "[{\"op\":\"replace\",\"path\":\"/status\",\"value\":\"waitlist\"}]");
    assertThat(patched.statusCode()).as(patched.body()).isEqualTo(422);
    HttpResponse<String> inBundle =
        web.send(
            "POST",
            "/fhir",
            frontDeskToken,
            transaction(withStatus(a, Appointment.AppointmentStatus.FULFILLED), "PUT"));
    assertThat(inBundle.statusCode()).as(inBundle.body()).isEqualTo(422);
    assertThat(FhirHttp.outcome(inBundle)).contains("cannot change from booked to fulfilled");
    assertThat(read(id).getMeta().getVersionId()).isEqualTo("1");

    // booked -> arrived -> fulfilled, which is final; entered-in-error follows anything.
    Appointment arrived =
        updated(frontDeskToken, withStatus(a, Appointment.AppointmentStatus.ARRIVED));
    Appointment fulfilled =
        updated(frontDeskToken, withStatus(arrived, Appointment.AppointmentStatus.FULFILLED));
    HttpResponse<String> reopened =
        put(frontDeskToken, withStatus(fulfilled, Appointment.AppointmentStatus.BOOKED));
    assertThat(reopened.statusCode()).as(reopened.body()).isEqualTo(422);
    assertThat(FhirHttp.outcome(reopened)).contains("fulfilled is final");
    fulfilled.setComment("seen on time");
    fulfilled = updated(frontDeskToken, fulfilled); // the same status: other edits are fine
    updated(frontDeskToken, withStatus(fulfilled, Appointment.AppointmentStatus.ENTEREDINERROR));

    // A no-show is final too, and a cancelled appointment with its reason as well.
    Appointment missed = created(frontDeskToken, onSlots(otherPatient, slots.get(1)));
    missed = updated(frontDeskToken, withStatus(missed, Appointment.AppointmentStatus.NOSHOW));
    assertThat(
            put(frontDeskToken, withStatus(missed, Appointment.AppointmentStatus.ARRIVED))
                .statusCode())
        .isEqualTo(422);
    Appointment called = created(frontDeskToken, onSlots(otherPatient, slots.get(2)));
    called = withStatus(called, Appointment.AppointmentStatus.CANCELLED);
    called.setCancelationReason(
        new CodeableConcept()
            .addCoding(
                new Coding(
                    "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason",
                    "prov",
                    "Provider")));
    called = updated(frontDeskToken, called);
    assertThat(slotStatus(slots.get(2).get("id").getAsString())).isEqualTo("free");
    assertThat(
            put(frontDeskToken, withStatus(called, Appointment.AppointmentStatus.BOOKED))
                .statusCode())
        .isEqualTo(422);
  }

  @Test
  void patientWhenWritingAnAppointmentThenOnlyBooksThroughASlotOrCancelsOnEveryPath()
      throws Exception {
    UUID schedule = schedule(doctor, "Europe/Berlin");
    generate(frontDeskToken, schedule, parameters("2027-08-03", "2027-08-03", List.of()));
    List<JsonObject> slots = freeSlots(schedule, "2027-08-03", "2027-08-04");
    long appointments = appointmentRows();

    // A transaction bundle is no way around the slot.
    Appointment noSlot = appointment(patient, doctor, "2027-08-03T13:00:00Z", 20);
    HttpResponse<String> bundled =
        web.send("POST", "/fhir", patientToken, transaction(noSlot, "POST"));
    assertThat(bundled.statusCode()).as(bundled.body()).isEqualTo(422);
    assertThat(FhirHttp.outcome(bundled)).contains("through a free Slot");
    // Nor is a status the front desk or the clinician sets.
    Appointment arrivedOnSlot = onSlots(patient, slots.get(0));
    arrivedOnSlot.setStatus(Appointment.AppointmentStatus.ARRIVED);
    HttpResponse<String> arrivedCreate =
        web.send("POST", "/fhir/Appointment", patientToken, encode(arrivedOnSlot));
    assertThat(arrivedCreate.statusCode()).as(arrivedCreate.body()).isEqualTo(422);
    assertThat(appointmentRows()).isEqualTo(appointments);
    assertThat(slotStatus(slots.get(0).get("id").getAsString())).isEqualTo("free");

    Appointment mine = created(patientToken, onSlots(patient, slots.get(0)));
    String id = mine.getIdElement().getIdPart();
    for (Appointment.AppointmentStatus to :
        List.of(Appointment.AppointmentStatus.ARRIVED, Appointment.AppointmentStatus.NOSHOW)) {
      HttpResponse<String> refused = put(patientToken, withStatus(mine, to));
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
      assertThat(FhirHttp.outcome(refused)).contains("A patient may book");
    }
    HttpResponse<String> checkedIn =
        patch(
            patientToken,
            id,
            "[{\"op\":\"replace\",\"path\":\"/status\",\"value\":\"checked-in\"}]");
    assertThat(checkedIn.statusCode()).as(checkedIn.body()).isEqualTo(422);
    assertThat(FhirHttp.outcome(checkedIn)).contains("A patient may book");
    HttpResponse<String> slotless =
        patch(patientToken, id, "[{\"op\":\"remove\",\"path\":\"/slot\"}]");
    assertThat(slotless.statusCode()).as(slotless.body()).isEqualTo(422);
    assertThat(FhirHttp.outcome(slotless)).contains("through a free Slot");
    HttpResponse<String> bundledNoShow =
        web.send(
            "POST",
            "/fhir",
            patientToken,
            transaction(withStatus(mine, Appointment.AppointmentStatus.NOSHOW), "PUT"));
    assertThat(bundledNoShow.statusCode()).as(bundledNoShow.body()).isEqualTo(422);
    assertThat(read(id).getMeta().getVersionId()).isEqualTo("1");
    assertThat(slotStatus(slots.get(0).get("id").getAsString())).isEqualTo("busy");

    // Once the front desk has them arrived, the patient no longer changes it, not even to cancel.
    Appointment arrived =
        updated(frontDeskToken, withStatus(read(id), Appointment.AppointmentStatus.ARRIVED));
    Appointment leaving = withStatus(arrived, Appointment.AppointmentStatus.CANCELLED);
    leaving.setCancelationReason(new CodeableConcept().setText("could not wait"));
    HttpResponse<String> late = put(patientToken, leaving);
    assertThat(late.statusCode()).as(late.body()).isEqualTo(422);
    assertThat(FhirHttp.outcome(late)).contains("status is arrived");
    assertThat(updated(frontDeskToken, leaving).getStatus())
        .isEqualTo(Appointment.AppointmentStatus.CANCELLED);

    // Booking and cancelling by PATCH is theirs.
    Appointment second = created(patientToken, onSlots(patient, slots.get(1)));
    HttpResponse<String> cancelled =
        patch(
            patientToken,
            second.getIdElement().getIdPart(),
            "[{\"op\":\"replace\",\"path\":\"/status\",\"value\":\"cancelled\"},"
                + "{\"op\":\"add\",\"path\":\"/cancelationReason\","
                + "\"value\":{\"text\":\"feeling better\"}}]");
    assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
    assertThat(slotStatus(slots.get(1).get("id").getAsString())).isEqualTo("free");
  }

  @Test
  void rescheduleWhenAnotherSlotThenMovedAtomicallyAndATakenOrTooShortSlotChangesNothing()
      throws Exception {
    UUID schedule = schedule(doctor, "Europe/Berlin");
    generate(frontDeskToken, schedule, parameters("2027-08-04", "2027-08-04", List.of()));
    List<JsonObject> slots = freeSlots(schedule, "2027-08-04", "2027-08-05");
    String a = slots.get(0).get("id").getAsString();
    String b = slots.get(1).get("id").getAsString();
    String c = slots.get(2).get("id").getAsString();
    String d = slots.get(4).get("id").getAsString();
    String e = slots.get(5).get("id").getAsString();
    Appointment visit = created(frontDeskToken, onSlots(patient, slots.get(0)));
    String id = visit.getIdElement().getIdPart();
    assertThat(slotStatus(a)).isEqualTo("busy");

    // Moved from A to B in one PUT: A is free again, B is busy.
    visit = updated(frontDeskToken, moved(visit, slots.get(1)));
    assertThat(slotStatus(a)).isEqualTo("free");
    assertThat(slotStatus(b)).isEqualTo("busy");
    assertThat(free(frontDeskToken, schedule, "2027-08-04", "2027-08-05"))
        .contains(Instant.parse(slots.get(0).get("start").getAsString()))
        .doesNotContain(Instant.parse(slots.get(1).get("start").getAsString()));

    // C is someone else's (booked without naming the doctor, so the slot itself refuses): 409,
    // and the appointment, B and A stay as they were.
    Appointment other = onSlots(otherPatient, slots.get(2));
    other.getParticipant().remove(1);
    created(frontDeskToken, other);
    HttpResponse<String> taken = put(frontDeskToken, moved(visit, slots.get(2)));
    assertThat(taken.statusCode()).as(taken.body()).isEqualTo(409);
    assertThat(FhirHttp.outcome(taken)).contains(c).doesNotContain("Waitwell");
    Appointment after = read(id);
    assertThat(after.getMeta().getVersionId()).isEqualTo(visit.getMeta().getVersionId());
    assertThat(after.getSlotFirstRep().getReference()).isEqualTo("Slot/" + b);
    assertThat(slotStatus(b)).isEqualTo("busy");
    assertThat(slotStatus(a)).isEqualTo("free");

    // The appointment's time must lie within its slots: D alone is too short for 40 minutes.
    Appointment tooLong = moved(visit, slots.get(4));
    tooLong.setEnd(Date.from(tooLong.getStart().toInstant().plusSeconds(40 * 60)));
    HttpResponse<String> outside = put(frontDeskToken, tooLong);
    assertThat(outside.statusCode()).as(outside.body()).isEqualTo(422);
    assertThat(FhirHttp.outcome(outside)).contains("within the time of its Slots");
    assertThat(slotStatus(d)).isEqualTo("free");
    assertThat(slotStatus(b)).isEqualTo("busy");
    Appointment early = moved(visit, slots.get(4));
    early.setStart(Date.from(early.getStart().toInstant().minusSeconds(60)));
    assertThat(put(frontDeskToken, early).statusCode()).isEqualTo(422);
    // D and E together hold it.
    tooLong.addSlot(AccessTable.ref("Slot", UUID.fromString(e)));
    updated(frontDeskToken, tooLong);
    assertThat(slotStatus(b)).isEqualTo("free");
    assertThat(slotStatus(d)).isEqualTo("busy");
    assertThat(slotStatus(e)).isEqualTo("busy");
  }

  @Test
  void locationWhenWrittenThenCarriesAnIanaTimeZoneOrTheDefaultOne() throws Exception {
    String admin = user("slot-admin", Role.ADMIN, null, null);
    HttpResponse<String> unknown =
        web.send("POST", "/fhir/Location", admin, encode(location("Room Mars", "Mars/Olympus")));
    assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(422);
    assertThat(FhirHttp.outcome(unknown)).contains("IANA time zone");

    HttpResponse<String> berlin =
        web.send("POST", "/fhir/Location", admin, encode(location("Room 5", "Europe/Berlin")));
    assertThat(berlin.statusCode()).as(berlin.body()).isEqualTo(201);
    assertThat(zoneOf(berlin)).isEqualTo("Europe/Berlin");
    // Without one it takes phylax.scheduling.default-zone (UTC here), kept in the resource.
    HttpResponse<String> none =
        web.send("POST", "/fhir/Location", admin, encode(location("Room 6", null)));
    assertThat(none.statusCode()).as(none.body()).isEqualTo(201);
    assertThat(zoneOf(none)).isEqualTo("UTC");
    String id = FhirHttp.json(none).get("id").getAsString();
    HttpResponse<String> read = web.send("GET", "/fhir/Location/" + id, admin, null);
    assertThat(zoneOf(read)).isEqualTo("UTC");
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

  static List<JsonObject> freeSlots(UUID schedule, String from, String to) throws Exception {
    HttpResponse<String> r =
        web.send(
            "GET",
            "/fhir/Slot?schedule=Schedule/"
                + schedule
                + "&status=free&start=ge"
                + from
                + "&start=lt"
                + to
                + "&_count=40",
            frontDeskToken,
            null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<JsonObject> out = new ArrayList<>();
    for (JsonElement e : FhirHttp.json(r).getAsJsonArray("entry")) {
      out.add(e.getAsJsonObject().getAsJsonObject("resource"));
    }
    return out;
  }

  /** A booked appointment of the patient with the doctor on the slots, at their times. */
  static Appointment onSlots(UUID patientId, JsonObject slot) {
    Appointment a = appointment(patientId, doctor, slot.get("start").getAsString(), 20);
    a.setEnd(Date.from(Instant.parse(slot.get("end").getAsString())));
    a.addSlot(AccessTable.ref("Slot", UUID.fromString(slot.get("id").getAsString())));
    return a;
  }

  /** A copy of the appointment on another slot, at its time. */
  static Appointment moved(Appointment a, JsonObject slot) {
    Appointment b = a.copy();
    b.getSlot().clear();
    b.addSlot(AccessTable.ref("Slot", UUID.fromString(slot.get("id").getAsString())));
    b.setStart(Date.from(Instant.parse(slot.get("start").getAsString())));
    b.setEnd(Date.from(Instant.parse(slot.get("end").getAsString())));
    return b;
  }

  static Appointment withStatus(Appointment a, Appointment.AppointmentStatus status) {
    Appointment b = a.copy();
    b.setStatus(status);
    return b;
  }

  static Appointment created(String token, Appointment a) throws Exception {
    HttpResponse<String> r = web.send("POST", "/fhir/Appointment", token, encode(a));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return fhir.newJsonParser().parseResource(Appointment.class, r.body());
  }

  static HttpResponse<String> put(String token, Appointment a) throws Exception {
    return web.send("PUT", "/fhir/Appointment/" + a.getIdElement().getIdPart(), token, encode(a));
  }

  static Appointment updated(String token, Appointment a) throws Exception {
    HttpResponse<String> r = put(token, a);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return fhir.newJsonParser().parseResource(Appointment.class, r.body());
  }

  static Appointment read(String id) throws Exception {
    HttpResponse<String> r = web.send("GET", "/fhir/Appointment/" + id, frontDeskToken, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return fhir.newJsonParser().parseResource(Appointment.class, r.body());
  }

  static HttpResponse<String> patch(String token, String id, String jsonPatch) throws Exception {
    return web.send(
        "PATCH",
        "/fhir/Appointment/" + id,
        token,
        jsonPatch,
        java.util.Map.of("Content-Type", "application/json-patch+json"));
  }

  /** A transaction of one entry: a POST of a new appointment or a PUT of an existing one. */
  static String transaction(Appointment a, String method) {
    org.hl7.fhir.r4.model.Bundle bundle = new org.hl7.fhir.r4.model.Bundle();
    bundle.setType(org.hl7.fhir.r4.model.Bundle.BundleType.TRANSACTION);
    org.hl7.fhir.r4.model.Bundle.BundleEntryComponent entry = bundle.addEntry();
    entry.setResource(a);
    if ("PUT".equals(method)) {
      entry
          .getRequest()
          .setMethod(org.hl7.fhir.r4.model.Bundle.HTTPVerb.PUT)
          .setUrl("Appointment/" + a.getIdElement().getIdPart());
    } else {
      entry.setFullUrl("urn:uuid:" + UUID.randomUUID());
      entry
          .getRequest()
          .setMethod(org.hl7.fhir.r4.model.Bundle.HTTPVerb.POST)
          .setUrl("Appointment");
    }
    return encode(bundle);
  }

  static long appointmentRows() {
    return jdbc.queryForObject(
        "select count(*) from record_resource where resource_type = 'Appointment'", Long.class);
  }

  static Location location(String name, String zone) {
    Location l = new Location();
    l.setName(name).setManagingOrganization(AccessTable.ref("Organization", clinic));
    if (zone != null) {
      l.addExtension(ZONE_URL, new CodeType(zone));
    }
    return l;
  }

  static String zoneOf(HttpResponse<String> response) {
    for (JsonElement e : FhirHttp.json(response).getAsJsonArray("extension")) {
      if (ZONE_URL.equals(e.getAsJsonObject().get("url").getAsString())) {
        return e.getAsJsonObject().get("valueCode").getAsString();
      }
    }
    return null;
  }

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
