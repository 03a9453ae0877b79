package org.phylax.web.internal;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.FormData;
import com.microsoft.playwright.options.RequestOptions;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Schedule;
import org.hl7.fhir.r4.model.Slot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.access.AccessTable;
import org.phylax.access.Permit;
import org.phylax.access.SystemAccess;
import org.phylax.identity.Role;
import org.phylax.identity.internal.TotpCodes;
import org.phylax.records.RecordStore;

/**
 * The scheduling pages in a real browser against a real server: a patient books a free slot from
 * the reminder emails' link and cancels it with a reason (the slot is free again), is told when a
 * slot was taken meanwhile, and never sees another patient's appointment; a practitioner walks
 * their own week and moves an appointment from booked to arrived to fulfilled; the front desk books
 * a slot for a patient found by MRN and cancels it; an administrator is refused the schedule.
 */
class SchedulingPagesBrowserIntegrationTests {

  static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  static final String ZONE_URL = "http://hl7.org/fhir/StructureDefinition/timezone";
  static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("EEE d MMM yyyy, HH:mm", Locale.ENGLISH);

  @TempDir static Path dir;
  static WebTestServer server;
  static Chromium chromium;
  static RecordStore store;
  static Permit system;
  static UUID doctor;
  static UUID otherDoctor;
  static UUID schedule;
  static UUID otherSchedule;
  static UUID patientA;
  static UUID patientB;
  static List<UUID> slots;
  static List<Instant> starts;

  BrowserContext context;
  Page page;

  @BeforeAll
  static void start() {
    server = WebTestServer.start(dir, Map.of());
    chromium = Chromium.launch();
    store = server.bean(RecordStore.class);
    system = server.bean(SystemAccess.class).forTask("test");
    UUID clinic = store.create(system, AccessTable.organization("Synthetic Web Clinic")).id();
    doctor = store.create(system, AccessTable.practitioner("Hourglass")).id();
    store.create(system, AccessTable.role(doctor, clinic));
    otherDoctor = store.create(system, AccessTable.practitioner("Sundial")).id();
    store.create(system, AccessTable.role(otherDoctor, clinic));
    Patient a = AccessTable.patient("Waitwell");
    a.setManagingOrganization(AccessTable.ref("Organization", clinic));
    patientA = store.create(system, a).id();
    Patient b = AccessTable.patient("Queueby");
    b.getNameFirstRep().getGiven().clear();
    b.getNameFirstRep().addGiven("Bramble");
    b.addIdentifier().setSystem("urn:synthetic:mrn").setValue("MRN-4417-22");
    b.setManagingOrganization(AccessTable.ref("Organization", clinic));
    patientB = store.create(system, b).id();
    schedule = schedule(doctor);
    otherSchedule = schedule(otherDoctor);
    // Six 20-minute slots from 09:00 Berlin time, three days ahead: inside the booking window.
    ZonedDateTime first = LocalDate.now(BERLIN).plusDays(3).atTime(9, 0).atZone(BERLIN);
    starts = new java.util.ArrayList<>();
    slots = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Instant at = first.plusMinutes(20L * i).toInstant();
      starts.add(at);
      slots.add(slot(schedule, at));
    }
  }

  @AfterAll
  static void stop() {
    try {
      chromium.close();
    } finally {
      server.close();
    }
  }

  @BeforeEach
  void openBrowser() {
    context =
        chromium
            .browser()
            .newContext(
                new com.microsoft.playwright.Browser.NewContextOptions()
                    .setBaseURL(server.baseUrl()));
    page = context.newPage();
  }

  @AfterEach
  void closeBrowser() {
    context.close();
  }

  @Test
  void patientWhenFollowingTheEmailLinkBooksAFreeSlotThenSeesItAndCancelsItWithAReason() {
    WebTestServer.User patient = server.patient(patientA);
    // The reminder emails link here; signing in leads back to it.
    page.navigate("/me/appointments");
    assertThat(page).hasURL(path("/login"));
    signIn(patient);
    assertThat(page).hasURL(path("/me/appointments"));
    assertThat(page.locator("h1")).hasText("Your appointments");

    page.getByLabel("Practitioner").selectOption(schedule.toString());
    click("See free times");
    assertThat(page).hasURL(path("/me/appointments/book"));
    assertThat(page.locator("#zone")).hasText("Europe/Berlin");
    assertThat(page.locator("button.slot[data-slot='" + slots.get(0) + "']"))
        .hasText("09:00–09:20");
    page.locator("button.slot[data-slot='" + slots.get(0) + "']").click();

    assertThat(page).hasURL(path("/me/appointments"));
    assertThat(page.locator("#notice")).hasText("Your appointment is booked.");
    var row = page.locator("#upcoming tr.appointment");
    assertThat(row).hasCount(1);
    assertThat(row.locator(".when"))
        .hasText(WHEN.format(starts.get(0).atZone(BERLIN)) + " (Europe/Berlin)");
    assertThat(row.locator(".practitioner")).hasText("Hourglass");
    assertThat(row.locator(".status")).hasText("booked");
    UUID appointment = UUID.fromString(row.getAttribute("data-id"));
    Appointment stored = appointment(appointment);
    assertThat(stored.getStatus()).isEqualTo(Appointment.AppointmentStatus.BOOKED);
    assertThat(stored.getSlotFirstRep().getReference()).isEqualTo("Slot/" + slots.get(0));
    assertThat(stored.getParticipant())
        .extracting(p -> p.getActor().getReference())
        .containsExactlyInAnyOrder("Patient/" + patientA, "Practitioner/" + doctor);
    assertThat(slotStatus(slots.get(0))).isEqualTo(Slot.SlotStatus.BUSY);
    assertThat(freeStarts()).doesNotContain(starts.get(0));

    row.getByLabel("Reason").selectOption("pat-fb");
    row.getByRole(
            AriaRole.BUTTON,
            new com.microsoft.playwright.Locator.GetByRoleOptions().setName("Cancel appointment"))
        .click();
    assertThat(page.locator("#notice")).hasText("Your appointment is cancelled.");
    assertThat(page.locator("#upcoming tr.appointment .status")).hasText("cancelled");
    assertThat(page.locator("#upcoming button")).hasCount(0);
    Appointment cancelled = appointment(appointment);
    assertThat(cancelled.getStatus()).isEqualTo(Appointment.AppointmentStatus.CANCELLED);
    assertThat(cancelled.getCancelationReason().getCodingFirstRep().getCode()).isEqualTo("pat-fb");
    assertThat(slotStatus(slots.get(0))).isEqualTo(Slot.SlotStatus.FREE);
    assertThat(freeStarts()).contains(starts.get(0));

    page.navigate("/");
    assertThat(page.locator("#my-appointments")).isVisible();
    assertThat(page.locator("#schedule")).hasCount(0);
  }

  @Test
  void patientWhenTheSlotIsTakenMeanwhileThenToldToPickAnother() {
    WebTestServer.User patient = server.patient(patientA);
    page.navigate("/me/appointments/book?schedule=" + schedule);
    signIn(patient);
    assertThat(page).hasURL(path("/me/appointments/book"));
    assertThat(page.locator("button.slot[data-slot='" + slots.get(1) + "']")).isVisible();

    book(patientB, slots.get(1), starts.get(1));
    Response answer =
        page.waitForResponse(
            r -> r.url().endsWith("/me/appointments/book") && "POST".equals(r.request().method()),
            () -> page.locator("button.slot[data-slot='" + slots.get(1) + "']").click());

    assertThat(answer.status()).isEqualTo(409);
    assertThat(page.locator("#error")).hasText("That time was just taken; pick another.");
    assertThat(page.locator("button.slot[data-slot='" + slots.get(1) + "']")).hasCount(0);
  }

  @Test
  void patientWhenAnotherPatientHasAnAppointmentThenNeitherSeesNorCancelsIt() {
    // In a room whose zone differs from the schedule's: the room's zone wins.
    Location room = new Location();
    room.setName("Synthetic Room 4");
    room.addExtension(ZONE_URL, new CodeType("America/New_York"));
    UUID roomId = store.create(system, room).id();
    Appointment a = new Appointment();
    a.setStatus(Appointment.AppointmentStatus.BOOKED);
    a.setStart(Date.from(starts.get(2))).setEnd(Date.from(starts.get(2).plusSeconds(1200)));
    a.addParticipant().setActor(AccessTable.ref("Patient", patientB));
    a.addParticipant().setActor(AccessTable.ref("Practitioner", doctor));
    a.addParticipant().setActor(AccessTable.ref("Location", roomId));
    a.addSlot(AccessTable.ref("Slot", slots.get(2)));
    UUID theirs = store.create(system, a).id();
    // The other patient sees it: the page lists what it should.
    WebTestServer.User other = server.patient(patientB);
    page.navigate("/me/appointments");
    signIn(other);
    var row = page.locator("#upcoming tr[data-id='" + theirs + "']");
    assertThat(row).hasCount(1);
    assertThat(row.locator(".place")).hasText("Synthetic Room 4");
    assertThat(row.locator(".when"))
        .hasText(
            WHEN.format(starts.get(2).atZone(ZoneId.of("America/New_York")))
                + " (America/New_York)");
    context.clearCookies();

    WebTestServer.User patient = server.patient(patientA);
    page.navigate("/me/appointments");
    signIn(patient);
    assertThat(page).hasURL(path("/me/appointments"));
    assertThat(page.locator("tr[data-id='" + theirs + "']")).hasCount(0);
    assertThat(page.content())
        .doesNotContain("Queueby")
        .doesNotContain("Synthetic Room 4")
        .doesNotContain(theirs.toString());

    String csrf = page.locator("form.signout input[name=_csrf]").getAttribute("value");
    var refused =
        page.request()
            .post(
                "/me/appointments/" + theirs + "/cancel",
                RequestOptions.create()
                    .setForm(FormData.create().set("_csrf", csrf).set("reason", "pat")));
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.text()).contains("may not see or change this").doesNotContain("Exception");
    assertThat(appointment(theirs).getStatus()).isEqualTo(Appointment.AppointmentStatus.BOOKED);
    assertThat(
            server
                .jdbc()
                .queryForObject(
                    "select count(*) from audit_event where entity_type = 'Appointment'"
                        + " and outcome = 'DENY' and actor_user = ?",
                    Long.class,
                    patient.account().id().toString()))
        .isEqualTo(1);
  }

  @Test
  void practitionerWhenWalkingTheirWeekThenMarksArrivedAndThenFulfilled() {
    Instant start = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MINUTES);
    Appointment video = new Appointment();
    video.setStatus(Appointment.AppointmentStatus.BOOKED);
    video.setStart(Date.from(start)).setEnd(Date.from(start.plusSeconds(1200)));
    video.addParticipant().setActor(AccessTable.ref("Patient", patientA));
    video.addParticipant().setActor(AccessTable.ref("Practitioner", doctor));
    video
        .getAppointmentType()
        .addCoding()
        .setSystem("http://terminology.hl7.org/CodeSystem/v3-ActCode")
        .setCode("VR");
    UUID visit = store.create(system, video).id();
    LocalDate day = LocalDate.ofInstant(start, BERLIN);
    WebTestServer.User physician = server.workforce(Role.PHYSICIAN, doctor);
    page.navigate("/schedule?week=" + day);
    signIn(physician);
    assertThat(page).hasURL(path("/schedule"));
    assertThat(page.locator("#schedule-label")).hasText("Hourglass");
    assertThat(page.locator("#zone")).hasText("Europe/Berlin");
    var row = page.locator("tr[data-id='" + visit + "']");
    assertThat(row.locator(".patient")).hasText("Synthia Waitwell");
    assertThat(row.locator(".status")).hasText("booked");
    assertThat(row.locator(".place")).hasText("Video visit");
    assertThat(row.locator(".time"))
        .hasText(
            Pattern.compile(
                "^" + DateTimeFormatter.ofPattern("HH:mm").format(start.atZone(BERLIN)) + "–"));

    // The week links move by a week and back.
    page.locator("#next-week").click();
    assertThat(page.locator("tr[data-id='" + visit + "']")).hasCount(0);
    page.locator("#previous-week").click();
    assertThat(page.locator("tr[data-id='" + visit + "']")).hasCount(1);

    page.locator("tr[data-id='" + visit + "']").getByText("Mark arrived").click();
    assertThat(page.locator("#notice")).isVisible();
    assertThat(page.locator("tr[data-id='" + visit + "'] .status")).hasText("arrived");
    assertThat(appointment(visit).getStatus()).isEqualTo(Appointment.AppointmentStatus.ARRIVED);
    page.locator("tr[data-id='" + visit + "']").getByText("Mark fulfilled").click();
    assertThat(page.locator("tr[data-id='" + visit + "'] .status")).hasText("fulfilled");
    assertThat(appointment(visit).getStatus()).isEqualTo(Appointment.AppointmentStatus.FULFILLED);
    assertThat(page.locator("tr[data-id='" + visit + "'] button")).hasCount(0);

    // Their own schedule only.
    Response other = page.navigate("/schedule?schedule=" + otherSchedule);
    assertThat(other.status()).isEqualTo(403);
    assertThat(page.locator("#problem")).hasText("A practitioner sees only their own schedule.");
  }

  @Test
  void frontDeskWhenBookingForAPatientFoundByMrnThenBookedAndCancellable() {
    UUID deskPractitioner = store.create(system, AccessTable.practitioner("Ledgerly")).id();
    UUID clinic =
        UUID.fromString(
            ((Patient) store.read(system, "Patient", patientB).resource())
                .getManagingOrganization()
                .getReferenceElement()
                .getIdPart());
    store.create(system, AccessTable.role(deskPractitioner, clinic));
    WebTestServer.User desk = server.workforce(Role.FRONT_DESK, deskPractitioner);
    page.navigate("/");
    signIn(desk);
    page.locator("#schedule").click();
    page.getByLabel("Practitioner's schedule").selectOption(schedule.toString());
    click("Show");
    assertThat(page.locator("#schedule-label")).hasText("Hourglass");
    page.navigate(
        "/schedule?schedule=" + schedule + "&week=" + LocalDate.ofInstant(starts.get(3), BERLIN));
    page.locator("a.slot[data-slot='" + slots.get(3) + "']").click();
    assertThat(page).hasURL(path("/schedule/book"));
    assertThat(page.locator("#slot-time")).containsText("Europe/Berlin");

    page.getByLabel("Identifier (MRN) or start of a name").fill("mrn 4417 22");
    click("Find patient");
    assertThat(page.locator("#patients tr.patient")).hasCount(1);
    assertThat(page.locator("#patients .name")).hasText("Bramble Queueby");
    assertThat(page.url()).doesNotContain("4417");
    click("Book for this patient");

    assertThat(page).hasURL(path("/schedule"));
    assertThat(page.locator("#notice")).hasText("The appointment is booked.");
    DateTimeFormatter hhmm = DateTimeFormatter.ofPattern("HH:mm");
    String time =
        hhmm.format(starts.get(3).atZone(BERLIN))
            + "–"
            + hhmm.format(starts.get(3).plusSeconds(1200).atZone(BERLIN));
    var row =
        page.locator("#appointments tr.appointment", new Page.LocatorOptions().setHasText(time));
    assertThat(row.locator(".patient")).hasText("Bramble Queueby");
    assertThat(row).hasCount(1);
    assertThat(row.locator(".status")).hasText("booked");
    UUID booked = UUID.fromString(row.getAttribute("data-id"));
    Appointment stored = appointment(booked);
    assertThat(stored.getSlotFirstRep().getReference()).isEqualTo("Slot/" + slots.get(3));
    assertThat(stored.getStart().toInstant()).isEqualTo(starts.get(3));
    assertThat(stored.getParticipant())
        .extracting(p -> p.getActor().getReference())
        .containsExactlyInAnyOrder("Patient/" + patientB, "Practitioner/" + doctor);
    assertThat(slotStatus(slots.get(3))).isEqualTo(Slot.SlotStatus.BUSY);
    assertThat(page.locator("a.slot[data-slot='" + slots.get(3) + "']")).hasCount(0);

    row.getByLabel("Reason").selectOption("prov");
    row.getByRole(
            AriaRole.BUTTON,
            new com.microsoft.playwright.Locator.GetByRoleOptions().setName("Cancel"))
        .click();
    assertThat(page.locator("#notice")).hasText("The appointment is cancelled.");
    assertThat(appointment(booked).getStatus()).isEqualTo(Appointment.AppointmentStatus.CANCELLED);
    assertThat(appointment(booked).getCancelationReason().getCodingFirstRep().getCode())
        .isEqualTo("prov");
    assertThat(slotStatus(slots.get(3))).isEqualTo(Slot.SlotStatus.FREE);
  }

  @Test
  void adminWhenOpeningTheScheduleThenForbidden() {
    WebTestServer.User admin = server.workforce(Role.ADMIN, null);
    page.navigate("/");
    signIn(admin);
    assertThat(page.locator("#username")).hasText(admin.username());
    assertThat(page.locator("#schedule")).hasCount(0);

    Response refused = page.navigate("/schedule");
    assertThat(refused.status()).isEqualTo(403);
    assertThat(page.locator("#problem"))
        .containsText("for physicians and nurses linked to a Practitioner, and for the front desk");
    Response mine = page.navigate("/me/appointments");
    assertThat(mine.status()).isEqualTo(403);
  }

  // ------------------------------------------------------------------------------------ helpers

  private void signIn(WebTestServer.User user) {
    assertThat(page).hasURL(path("/login"));
    page.getByLabel("Username").fill(user.username());
    page.getByLabel("Password").fill(WebTestServer.PASSWORD);
    click("Sign in");
    if (user.totpSecret() != null) {
      assertThat(page).hasURL(path("/login/mfa"));
      page.getByLabel("Code").fill(TotpCodes.next(user.totpSecret()));
      click("Verify");
    }
  }

  private void click(String button) {
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName(button).setExact(true))
        .click();
  }

  /** The page at {@code path}, with any query (Playwright runs the pattern as a JS regex). */
  private static Pattern path(String path) {
    String literal = (server.baseUrl() + path).replaceAll("[.?*+^$()\\[\\]{}|/\\\\]", "\\\\$0");
    return Pattern.compile("^" + literal + "(\\?.*)?$");
  }

  private static UUID schedule(UUID practitioner) {
    Schedule s = new Schedule();
    s.addActor(AccessTable.ref("Practitioner", practitioner));
    s.addExtension(ZONE_URL, new CodeType("Europe/Berlin"));
    return store.create(system, s).id();
  }

  private static UUID slot(UUID scheduleId, Instant start) {
    Slot s = new Slot();
    s.setSchedule(AccessTable.ref("Schedule", scheduleId));
    s.setStatus(Slot.SlotStatus.FREE);
    s.setStart(Date.from(start)).setEnd(Date.from(start.plusSeconds(1200)));
    return store.create(system, s).id();
  }

  /** Books a slot behind the browser's back, as another user would. */
  private static UUID book(UUID patient, UUID slotId, Instant start) {
    return storeAppointment(patient, doctor, start, slotId);
  }

  private static UUID storeAppointment(UUID patient, UUID practitioner, Instant start, UUID slot) {
    Appointment a = new Appointment();
    a.setStatus(Appointment.AppointmentStatus.BOOKED);
    a.setStart(Date.from(start)).setEnd(Date.from(start.plusSeconds(1200)));
    a.addParticipant().setActor(AccessTable.ref("Patient", patient));
    a.addParticipant().setActor(AccessTable.ref("Practitioner", practitioner));
    if (slot != null) {
      a.addSlot(AccessTable.ref("Slot", slot));
    }
    return store.create(system, a).id();
  }

  private static Appointment appointment(UUID id) {
    return (Appointment) store.read(system, "Appointment", id).resource();
  }

  private static Slot.SlotStatus slotStatus(UUID id) {
    return ((Slot) store.read(system, "Slot", id).resource()).getStatus();
  }

  /**
   * The schedule's free slot starts over the next two weeks, as GET /fhir/Slot?status=free has
   * them.
   */
  private static List<Instant> freeStarts() {
    return store
        .freeSlots(system, schedule, Instant.now(), Instant.now().plus(14, ChronoUnit.DAYS), 100)
        .stream()
        .map(r -> ((Slot) r.resource()).getStart().toInstant())
        .toList();
  }
}
