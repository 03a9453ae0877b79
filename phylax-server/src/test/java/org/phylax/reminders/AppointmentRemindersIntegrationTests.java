package org.phylax.reminders;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Schedule;
import org.hl7.fhir.r4.model.Slot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.access.AccessTable;
import org.phylax.access.Permit;
import org.phylax.access.SystemAccess;
import org.phylax.platform.PhylaxProcess;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.TestServers;
import org.phylax.records.RecordStore;
import org.phylax.records.StoredResource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Reminders against a real SMTP server (GreenMail on a loopback port) and the real database: one
 * email per booked appointment due within the lead time, also when passes race; only the first
 * name, local time, place or "video visit" and the link, never the reason for the visit or the
 * family name; none for cancelled, later or address-less appointments; a delivery that failed is
 * sent on a later pass; each reminder audited as a disclosure.
 */
class AppointmentRemindersIntegrationTests {

  static final String SECRET_REASON = "Synthetic-reason-zebra-41";
  static final String SECRET_NOTE = "Synthetic-note-quokka-17";
  static final String FAMILY = "Remindwell";
  static final String TIMEZONE = "http://hl7.org/fhir/StructureDefinition/timezone";
  static final String LINK = "https://phylax.example.test/me/appointments";
  static final String[] PROPERTIES = {
    "phylax.audit.checkpoint-poll",
    "spring.mail.host",
    "spring.mail.port",
    "phylax.reminders.poll",
    "phylax.reminders.retry",
    "phylax.reminders.zone",
    "phylax.reminders.from",
    "phylax.web.base-url"
  };
  static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("EEEE d MMMM yyyy 'at' HH:mm", Locale.ENGLISH);

  @TempDir static Path dir;
  static PhylaxServer server;
  static RecordStore store;
  static Permit system;
  static JdbcTemplate jdbc;
  static AppointmentReminders reminders;
  static GreenMail smtp;
  static int smtpPort;
  static UUID clinic;

  @BeforeAll
  static void start() {
    smtpPort = PhylaxProcess.freePort();
    smtp = startSmtp();
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    System.setProperty("spring.mail.host", "127.0.0.1");
    System.setProperty("spring.mail.port", Integer.toString(smtpPort));
    // The tests run the passes; the server's own poll stays out of their way.
    System.setProperty("phylax.reminders.poll", "1h");
    System.setProperty("phylax.reminders.retry", "3s");
    System.setProperty("phylax.reminders.zone", "UTC");
    System.setProperty("phylax.reminders.from", "reminders@phylax.example.test");
    System.setProperty("phylax.web.base-url", "https://phylax.example.test/");
    server = TestServers.dev(dir);
    store = server.context().getBean(RecordStore.class);
    system = server.context().getBean(SystemAccess.class).forTask("test");
    jdbc = server.context().getBean(JdbcTemplate.class);
    reminders = server.context().getBean(AppointmentReminders.class);
    clinic = store.create(system, AccessTable.organization("Synthetic Clinic")).id();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (smtp != null) {
      smtp.stop();
    }
    for (String p : PROPERTIES) {
      System.clearProperty(p);
    }
  }

  @Test
  void remindWhenBookedInTwentyThreeHoursThenOneEmailWithTheMinimumNecessary() throws Exception {
    String address = "synthia.inperson@example.test";
    UUID patient = patient(address);
    UUID room = location("Synthetic room 7", "Europe/Berlin");
    Instant start = Instant.now().plus(23, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MINUTES);
    Appointment a = appointment(patient, start, "booked", ref("Location", room));
    a.addReasonCode(new CodeableConcept().setText(SECRET_REASON));
    a.setDescription(SECRET_REASON).setComment(SECRET_NOTE);
    a.addServiceType(new CodeableConcept().setText(SECRET_NOTE));
    UUID id = store.create(system, a).id();

    // Two servers' passes at the same moment, then a later pass: still one email.
    List<AppointmentReminders.Pass> passes = racingPasses(2);
    passes.add(reminders.remindDue());

    assertThat(passes.stream().mapToInt(AppointmentReminders.Pass::sent).sum()).isEqualTo(1);
    List<MimeMessage> mail = mailTo(address);
    assertThat(mail).hasSize(1);
    String body = ((String) mail.get(0).getContent()).replace("\r\n", "\n");
    ZonedLocal local = new ZonedLocal(start, ZoneId.of("Europe/Berlin"));
    assertThat(body)
        .contains("Hello Synthia,")
        .contains(local.text() + " (Europe/Berlin)")
        .contains("Place: Synthetic room 7")
        .contains(LINK)
        .doesNotContain("video visit")
        .doesNotContain(WHEN.format(start.atZone(ZoneId.of("UTC"))));
    String whole = GreenMailUtil.getWholeMessage(mail.get(0));
    assertThat(whole).doesNotContain(SECRET_REASON).doesNotContain(SECRET_NOTE);
    assertThat(whole).doesNotContain(FAMILY).doesNotContain("Slotwright");
    assertThat(mail.get(0).getSubject()).isEqualTo("Appointment reminder");
    assertThat(disclosures(id, "PERMIT")).isEqualTo(1);
    assertThat(
            jdbc.queryForObject(
                "select patient_id from audit_event where action = 'DISCLOSE' and entity_id = ?",
                UUID.class,
                id.toString()))
        .isEqualTo(patient);
    assertThat(state(id)).isEqualTo("sent");
  }

  @Test
  void remindWhenFourPassesRaceThenEachOfTwelveAppointmentsGetsOneEmail() throws Exception {
    List<String> addresses = new ArrayList<>();
    Instant start = Instant.now().plus(19, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MINUTES);
    for (int i = 0; i < 12; i++) {
      String address = "synthia.race" + i + "@example.test";
      addresses.add(address);
      store.create(
          system, appointment(patient(address), start.plusSeconds(60L * i), "booked", null));
    }

    List<AppointmentReminders.Pass> passes = racingPasses(4);

    assertThat(passes.stream().mapToInt(AppointmentReminders.Pass::sent).sum()).isEqualTo(12);
    for (String address : addresses) {
      assertThat(mailTo(address)).as(address).hasSize(1);
    }
  }

  @Test
  void remindWhenVirtualThenSaysVideoVisitInsteadOfThePlace() throws Exception {
    String address = "synthia.video@example.test";
    UUID patient = patient(address);
    UUID room = location("Synthetic room 9", "America/New_York");
    Instant start = Instant.now().plus(22, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MINUTES);
    Appointment a = appointment(patient, start, "booked", ref("Location", room));
    a.setAppointmentType(
        new CodeableConcept()
            .addCoding(
                new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "VR", "virtual")));
    // Every Location names its zone (docs/scheduling.md), the room's and the Schedule's agree.
    Schedule schedule = new Schedule().addActor(ref("Location", room));
    schedule.addExtension(TIMEZONE, new CodeType("America/New_York"));
    UUID scheduleId = store.create(system, schedule).id();
    Slot slot =
        new Slot()
            .setSchedule(ref("Schedule", scheduleId))
            .setStatus(Slot.SlotStatus.FREE)
            .setStart(a.getStart())
            .setEnd(a.getEnd());
    a.addSlot(ref("Slot", store.create(system, slot).id()));
    UUID id = store.create(system, a).id();

    reminders.remindDue();

    List<MimeMessage> mail = mailTo(address);
    assertThat(mail).hasSize(1);
    String body = (String) mail.get(0).getContent();
    assertThat(body)
        .contains("Hello Synthia,")
        .contains("video visit")
        .contains(
            new ZonedLocal(start, ZoneId.of("America/New_York")).text() + " (America/New_York)")
        .contains(LINK)
        .doesNotContain("Synthetic room 9")
        .doesNotContain("Place:");
    assertThat(disclosures(id, "PERMIT")).isEqualTo(1);
  }

  @Test
  void remindWhenCancelledOrThreeDaysAheadOrWithoutEmailThenNoEmailAndNoFailure() throws Exception {
    String cancelledTo = "synthia.cancelled@example.test";
    String laterTo = "synthia.later@example.test";
    Instant soon = Instant.now().plus(20, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MINUTES);
    StoredResource booked =
        store.create(system, appointment(patient(cancelledTo), soon, "booked", null));
    Appointment cancelled = (Appointment) booked.resource();
    cancelled.setStatus(Appointment.AppointmentStatus.CANCELLED);
    cancelled.setCancelationReason(new CodeableConcept().setText("patient asked"));
    UUID cancelledId = store.update(system, booked.id(), booked.version(), cancelled).id();
    UUID laterId =
        store
            .create(
                system,
                appointment(
                    patient(laterTo), Instant.now().plus(3, ChronoUnit.DAYS), "booked", null))
            .id();
    UUID noEmailId = store.create(system, appointment(patient(null), soon, "booked", null)).id();

    AppointmentReminders.Pass pass = reminders.remindDue();

    assertThat(pass.failed()).isZero();
    assertThat(mailTo(cancelledTo)).isEmpty();
    assertThat(mailTo(laterTo)).isEmpty();
    assertThat(state(noEmailId)).isEqualTo("skipped");
    assertThat(reminders.remindDue().skipped()).as("settled, not decided again").isZero();
    for (UUID id : List.of(cancelledId, laterId, noEmailId)) {
      assertThat(disclosures(id, "PERMIT")).isZero();
    }
  }

  @Test
  void remindWhenSmtpDownThenNotLostAndSentOnceOnALaterPass() throws Exception {
    String address = "synthia.retry@example.test";
    Instant start = Instant.now().plus(21, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MINUTES);
    UUID id = store.create(system, appointment(patient(address), start, "booked", null)).id();
    smtp.stop();
    AppointmentReminders.Pass down;
    try {
      down = reminders.remindDue();
    } finally {
      smtp = startSmtp();
    }
    Instant failedAt = Instant.now();

    assertThat(down.failed()).isEqualTo(1);
    assertThat(state(id)).isEqualTo("pending");
    assertThat(disclosures(id, "FAILURE")).isEqualTo(1);
    // Back up at once, but the retry waits its 3 s: nothing yet.
    reminders.remindDue();
    assertThat(mailTo(address)).isEmpty();

    Thread.sleep(Math.max(0, 3100 - (Instant.now().toEpochMilli() - failedAt.toEpochMilli())));
    assertThat(reminders.remindDue().sent()).isEqualTo(1);
    reminders.remindDue();
    assertThat(mailTo(address)).hasSize(1);
    assertThat(state(id)).isEqualTo("sent");
    // No zone on a Location or Schedule: phylax.reminders.zone.
    assertThat((String) mailTo(address).get(0).getContent())
        .contains(new ZonedLocal(start, ZoneId.of("UTC")).text() + " (UTC)")
        .doesNotContain("Place:");
  }

  @Test
  void remindWhenRescheduledAfterItsReminderThenRemindedAgainForTheNewStart() throws Exception {
    String address = "synthia.moved@example.test";
    Instant first = Instant.now().plus(18, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MINUTES);
    StoredResource booked =
        store.create(system, appointment(patient(address), first, "booked", null));
    reminders.remindDue();
    assertThat(mailTo(address)).hasSize(1);

    Appointment moved = (Appointment) booked.resource();
    Instant second = first.plus(90, ChronoUnit.MINUTES);
    moved.setStart(Date.from(second)).setEnd(Date.from(second.plus(20, ChronoUnit.MINUTES)));
    store.update(system, booked.id(), booked.version(), moved);
    reminders.remindDue();
    reminders.remindDue();

    List<MimeMessage> mail = mailTo(address);
    assertThat(mail).hasSize(2);
    assertThat((String) mail.get(1).getContent())
        .contains(new ZonedLocal(second, ZoneId.of("UTC")).text());
    assertThat(disclosures(booked.id(), "PERMIT")).isEqualTo(2);
  }

  // ---------------------------------------------------------------- fixtures

  static GreenMail startSmtp() {
    GreenMail g = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    g.start();
    return g;
  }

  static List<AppointmentReminders.Pass> racingPasses(int n) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CountDownLatch ready = new CountDownLatch(n);
    try {
      List<Future<AppointmentReminders.Pass>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        futures.add(
            pool.submit(
                () -> {
                  ready.countDown();
                  ready.await();
                  return reminders.remindDue();
                }));
      }
      List<AppointmentReminders.Pass> out = new ArrayList<>();
      for (Future<AppointmentReminders.Pass> f : futures) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  static List<MimeMessage> mailTo(String address) throws Exception {
    List<MimeMessage> out = new ArrayList<>();
    for (MimeMessage m : smtp.getReceivedMessages()) {
      if (Arrays.stream(m.getRecipients(Message.RecipientType.TO))
          .anyMatch(r -> r.toString().equals(address))) {
        out.add(m);
      }
    }
    return out;
  }

  static int disclosures(UUID appointment, String outcome) {
    return jdbc.queryForObject(
        "select count(*) from audit_event where action = 'DISCLOSE' and entity_type ="
            + " 'Appointment' and entity_id = ? and outcome = ? and actor_user ="
            + " 'system:reminders'",
        Integer.class,
        appointment.toString(),
        outcome);
  }

  static String state(UUID appointment) {
    return jdbc.queryForObject(
        "select state from reminder_sent where appointment_id = ?", String.class, appointment);
  }

  static UUID patient(String email) {
    Patient p = AccessTable.patient(FAMILY);
    p.setManagingOrganization(ref("Organization", clinic));
    p.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setValue("+1 555 0100");
    if (email != null) {
      p.addTelecom().setSystem(ContactPoint.ContactPointSystem.EMAIL).setValue(email);
    }
    return store.create(system, p).id();
  }

  static UUID location(String name, String zone) {
    Location l = new Location();
    l.setName(name).setManagingOrganization(ref("Organization", clinic));
    if (zone != null) {
      l.addExtension(TIMEZONE, new CodeType(zone));
    }
    return store.create(system, l).id();
  }

  /** A practitioner of its own per appointment, so that no two test bookings overlap. */
  static Reference doctor() {
    return ref("Practitioner", store.create(system, AccessTable.practitioner("Slotwright")).id());
  }

  static Appointment appointment(UUID patient, Instant start, String status, Reference with) {
    Appointment a = new Appointment();
    a.setStatus(Appointment.AppointmentStatus.fromCode(status));
    a.setStart(Date.from(start)).setEnd(Date.from(start.plus(20, ChronoUnit.MINUTES)));
    a.addParticipant()
        .setActor(ref("Patient", patient))
        .setStatus(Appointment.ParticipationStatus.ACCEPTED);
    a.addParticipant().setActor(doctor()).setStatus(Appointment.ParticipationStatus.ACCEPTED);
    if (with != null) {
      a.addParticipant().setActor(with).setStatus(Appointment.ParticipationStatus.ACCEPTED);
    }
    return a;
  }

  static Reference ref(String type, UUID id) {
    return new Reference(type + "/" + id);
  }

  /** The start as the patient reads it in the appointment's zone. */
  record ZonedLocal(Instant start, ZoneId zone) {
    String text() {
      return WHEN.format(start.atZone(zone));
    }
  }
}
