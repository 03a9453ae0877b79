package org.phylax.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
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
 * Booking over /fhir with a front-desk user's real token: no practitioner or room is booked twice
 * for overlapping times — not by 20 requests racing for one slot, not through a PractitionerRole,
 * not by a reschedule, not inside a transaction — each refusal a 409 OperationOutcome with nothing
 * written; cancelling frees the time; proposed appointments and back-to-back slots do not clash.
 */
class AppointmentBookingIntegrationTests {

  @TempDir static Path dir;
  static PhylaxServer server;
  static FhirHttp web;
  static JdbcTemplate jdbc;
  static final FhirContext fhir = FhirContext.forR4Cached();
  static final HttpClient http = HttpClient.newHttpClient();
  static final String PASSWORD = "violet-harbour-tractor-47";
  static final String FHIR_JSON = "application/fhir+json";
  static final List<UUID> patients = new ArrayList<>();
  static UUID doctor;
  static UUID doctorRole;
  static UUID room;
  static String frontDesk;

  @BeforeAll
  static void start() {
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    server = TestServers.dev(dir);
    web = new FhirHttp(server.baseUri(), "booking-test");
    jdbc = server.context().getBean(JdbcTemplate.class);
    RecordStore store = server.context().getBean(RecordStore.class);
    Permit system = server.context().getBean(SystemAccess.class).forTask("test");
    UUID clinic = store.create(system, AccessTable.organization("Synthetic Clinic")).id();
    doctor = store.create(system, AccessTable.practitioner("Slotwright")).id();
    doctorRole = store.create(system, AccessTable.role(doctor, clinic)).id();
    UUID desk = store.create(system, AccessTable.practitioner("Deskhollow")).id();
    store.create(system, AccessTable.role(desk, clinic));
    Location location = new Location();
    location.setName("Synthetic room 3").setManagingOrganization(ref("Organization", clinic));
    room = store.create(system, location).id();
    for (int i = 0; i < 21; i++) {
      Patient p = AccessTable.patient("Bookerly");
      p.setManagingOrganization(ref("Organization", clinic));
      patients.add(store.create(system, p).id());
    }
    server
        .context()
        .getBean(Accounts.class)
        .create(
            NewAccount.builder("desk-bookings")
                .role(Role.FRONT_DESK)
                .practitioner(desk)
                .password(PASSWORD)
                .build(),
            Actor.operator("tester"));
    frontDesk =
        server
            .context()
            .getBean(UserTokens.class)
            .issue("desk-bookings", Duration.ofMinutes(30), "tester")
            .token();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    System.clearProperty("phylax.audit.checkpoint-poll");
  }

  @Test
  void bookWhenTwentyRequestsRaceForOneSlotThenExactlyOneIsBooked() throws Exception {
    Instant start = slot(10);
    ExecutorService pool = Executors.newFixedThreadPool(20);
    CountDownLatch ready = new CountDownLatch(20);
    List<Future<HttpResponse<String>>> results = new ArrayList<>();
    try {
      for (int i = 0; i < 20; i++) {
        String body =
            encode(appointment(patients.get(i), ref("Practitioner", doctor), start, 20, "booked"));
        Callable<HttpResponse<String>> call =
            () -> {
              ready.countDown();
              ready.await();
              return send("POST", "/fhir/Appointment", body);
            };
        results.add(pool.submit(call));
      }
      int created = 0;
      int conflicts = 0;
      for (Future<HttpResponse<String>> f : results) {
        HttpResponse<String> r = f.get();
        if (r.statusCode() == 201) {
          created++;
        } else {
          assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
          assertConflict(r);
          conflicts++;
        }
      }
      assertThat(created).isEqualTo(1);
      assertThat(conflicts).isEqualTo(19);
    } finally {
      pool.shutdownNow();
    }
    assertThat(holdsAt(doctor, start)).isEqualTo(1);
    assertThat(
            jdbc.queryForObject(
                "select count(*) from record_booking b join record_resource r on r.id ="
                    + " b.resource_id where b.actor_id = ? and lower(b.during) = ?",
                Long.class,
                doctor,
                java.sql.Timestamp.from(start)))
        .as("no half-written appointment of a refused booking")
        .isEqualTo(1);
  }

  @Test
  void bookWhenTimesTouchOrOverlapThenOnlyOverlapsAreRefusedAndCancellingFreesTheTime()
      throws Exception {
    Instant start = slot(11);
    HttpResponse<String> first = book(patients.get(0), ref("Practitioner", doctor), start, 20);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
    // Back to back: the first ends when the next starts.
    HttpResponse<String> next =
        book(patients.get(1), ref("Practitioner", doctor), start.plus(20, ChronoUnit.MINUTES), 20);
    assertThat(next.statusCode()).as(next.body()).isEqualTo(201);
    // Ten minutes into the first.
    Instant overlapping = start.plus(10, ChronoUnit.MINUTES);
    HttpResponse<String> clash = book(patients.get(2), ref("Practitioner", doctor), overlapping, 5);
    assertThat(clash.statusCode()).as(clash.body()).isEqualTo(409);
    assertThat(assertConflict(clash)).contains(doctor.toString()).doesNotContain("Bookerly");
    // A proposed appointment holds no time.
    HttpResponse<String> proposed =
        send(
            "POST",
            "/fhir/Appointment",
            encode(
                appointment(
                    patients.get(2), ref("Practitioner", doctor), overlapping, 5, "proposed")));
    assertThat(proposed.statusCode()).as(proposed.body()).isEqualTo(201);

    // Cancelling the first frees its time for the refused booking.
    Appointment cancelled = read(first);
    cancelled.setStatus(Appointment.AppointmentStatus.CANCELLED);
    cancelled.setCancelationReason(
        new org.hl7.fhir.r4.model.CodeableConcept().setText("patient asked"));
    HttpResponse<String> cancel =
        send("PUT", "/fhir/Appointment/" + cancelled.getIdElement().getIdPart(), encode(cancelled));
    assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);
    HttpResponse<String> retry = book(patients.get(2), ref("Practitioner", doctor), overlapping, 5);
    assertThat(retry.statusCode()).as(retry.body()).isEqualTo(201);
  }

  @Test
  void rescheduleWhenMovedOntoATakenTimeThenRefusedAndTheOldTimeStaysBooked() throws Exception {
    Instant nine = slot(12);
    Instant ten = nine.plus(1, ChronoUnit.HOURS);
    Instant eleven = nine.plus(2, ChronoUnit.HOURS);
    HttpResponse<String> a = book(patients.get(3), ref("Practitioner", doctor), nine, 30);
    HttpResponse<String> b = book(patients.get(4), ref("Practitioner", doctor), ten, 30);
    assertThat(a.statusCode()).isEqualTo(201);
    assertThat(b.statusCode()).isEqualTo(201);

    Appointment moved = read(a);
    moved.setStart(Date.from(ten)).setEnd(Date.from(ten.plus(30, ChronoUnit.MINUTES)));
    String id = moved.getIdElement().getIdPart();
    HttpResponse<String> refused = send("PUT", "/fhir/Appointment/" + id, encode(moved));
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
    assertConflict(refused);
    assertThat(read(a).getMeta().getVersionId()).isEqualTo("1");
    assertThat(holdsAt(doctor, nine)).as("the old time is still held").isEqualTo(1);

    moved.setStart(Date.from(eleven)).setEnd(Date.from(eleven.plus(30, ChronoUnit.MINUTES)));
    HttpResponse<String> done = send("PUT", "/fhir/Appointment/" + id, encode(moved));
    assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
    assertThat(holdsAt(doctor, nine)).as("the old time is free").isZero();
    assertThat(holdsAt(doctor, eleven)).isEqualTo(1);
    HttpResponse<String> refill = book(patients.get(5), ref("Practitioner", doctor), nine, 30);
    assertThat(refill.statusCode()).as(refill.body()).isEqualTo(201);
  }

  @Test
  void bookWhenThroughPractitionerRoleOrSameRoomThenClashesAreFound() throws Exception {
    Instant start = slot(13);
    HttpResponse<String> byRole =
        book(patients.get(6), ref("PractitionerRole", doctorRole), start, 20);
    assertThat(byRole.statusCode()).as(byRole.body()).isEqualTo(201);
    HttpResponse<String> direct = book(patients.get(7), ref("Practitioner", doctor), start, 20);
    assertThat(direct.statusCode()).as("the role is the same practitioner").isEqualTo(409);

    Instant later = start.plus(3, ChronoUnit.HOURS);
    Appointment inRoom = appointment(patients.get(8), ref("Location", room), later, 30, "booked");
    assertThat(send("POST", "/fhir/Appointment", encode(inRoom)).statusCode()).isEqualTo(201);
    Appointment sameRoom =
        appointment(
            patients.get(9),
            ref("Location", room),
            later.plus(15, ChronoUnit.MINUTES),
            30,
            "booked");
    HttpResponse<String> clash = send("POST", "/fhir/Appointment", encode(sameRoom));
    assertThat(clash.statusCode()).as(clash.body()).isEqualTo(409);
    assertConflict(clash);
  }

  @Test
  void transactionWhenTwoEntriesOverlapThenWholeBundleIsRefusedAndNothingWritten()
      throws Exception {
    Instant start = slot(14);
    Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
    for (int i = 10; i < 12; i++) {
      bundle
          .addEntry()
          .setResource(
              appointment(
                  patients.get(i),
                  ref("Practitioner", doctor),
                  start.plus(10L * (i - 10), ChronoUnit.MINUTES),
                  20,
                  "booked"))
          .getRequest()
          .setMethod(Bundle.HTTPVerb.POST)
          .setUrl("Appointment");
    }
    long before = appointments();
    HttpResponse<String> r = send("POST", "/fhir", encode(bundle));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
    assertConflict(r);
    assertThat(appointments()).isEqualTo(before);
    assertThat(holdsAt(doctor, start)).isZero();
  }

  @Test
  void bookWhenBookedWithoutEndThenRefusedNamingTheElement() throws Exception {
    Appointment a =
        appointment(patients.get(12), ref("Practitioner", doctor), slot(15), 20, "booked");
    a.setEnd(null);
    HttpResponse<String> r = send("POST", "/fhir/Appointment", encode(a));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
    assertThat(r.body()).contains("Appointment.end");
  }

  // ---------------------------------------------------------------- helpers

  /** 09:00 UTC on a day {@code days} from now: each test books on its own day. */
  static Instant slot(int days) {
    return Instant.now()
        .truncatedTo(ChronoUnit.DAYS)
        .plus(days, ChronoUnit.DAYS)
        .plusSeconds(9 * 3600);
  }

  static Appointment appointment(
      UUID patient, Reference with, Instant start, int minutes, String status) {
    Appointment a = new Appointment();
    a.setStatus(Appointment.AppointmentStatus.fromCode(status));
    a.setStart(Date.from(start)).setEnd(Date.from(start.plus(minutes, ChronoUnit.MINUTES)));
    a.addParticipant()
        .setActor(ref("Patient", patient))
        .setStatus(Appointment.ParticipationStatus.ACCEPTED);
    a.addParticipant().setActor(with).setStatus(Appointment.ParticipationStatus.ACCEPTED);
    return a;
  }

  static HttpResponse<String> book(UUID patient, Reference with, Instant start, int minutes)
      throws Exception {
    return send(
        "POST", "/fhir/Appointment", encode(appointment(patient, with, start, minutes, "booked")));
  }

  static Appointment read(HttpResponse<String> created) throws Exception {
    String location = created.headers().firstValue("Location").orElseThrow();
    String id = location.replaceAll(".*/Appointment/([^/]+).*", "$1");
    HttpResponse<String> r = send("GET", "/fhir/Appointment/" + id, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return fhir.newJsonParser().parseResource(Appointment.class, r.body());
  }

  static long holdsAt(UUID actor, Instant at) {
    return jdbc.queryForObject(
        "select count(*) from record_booking where holds and actor_id = ? and during @> ?::timestamptz",
        Long.class,
        actor,
        java.sql.Timestamp.from(at));
  }

  static long appointments() {
    return jdbc.queryForObject(
        "select count(*) from record_resource where resource_type = 'Appointment'", Long.class);
  }

  /** Asserts a conflict OperationOutcome and returns its diagnostics. */
  static String assertConflict(HttpResponse<String> r) {
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith(FHIR_JSON));
    JsonObject outcome = JsonParser.parseString(r.body()).getAsJsonObject();
    assertThat(outcome.get("resourceType").getAsString()).isEqualTo("OperationOutcome");
    JsonObject issue = outcome.getAsJsonArray("issue").get(0).getAsJsonObject();
    assertThat(issue.get("code").getAsString()).isEqualTo("conflict");
    String diagnostics = issue.get("diagnostics").getAsString();
    assertThat(diagnostics).contains("overlap");
    return diagnostics;
  }

  static Reference ref(String type, UUID id) {
    return new Reference(type + "/" + id);
  }

  static String encode(org.hl7.fhir.r4.model.Resource r) {
    return fhir.newJsonParser().encodeResourceToString(r);
  }

  static HttpResponse<String> send(String method, String path, String body) throws Exception {
    return web.send(method, path, frontDesk, body);
  }
}
