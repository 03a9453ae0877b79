package org.phylax.web.internal.scheduling;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Appointment.AppointmentStatus;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Schedule;
import org.hl7.fhir.r4.model.Slot;
import org.phylax.access.AccessAction;
import org.phylax.access.AccessGate;
import org.phylax.access.AccessRequest;
import org.phylax.access.Permit;
import org.phylax.access.Subject;
import org.phylax.identity.ClientInfo;
import org.phylax.records.RecordDeletedException;
import org.phylax.records.RecordNotFoundException;
import org.phylax.records.RecordQuery;
import org.phylax.records.RecordStore;
import org.phylax.records.ScheduleDirectory;
import org.phylax.records.SearchParameter;
import org.phylax.records.StoredResource;
import org.phylax.records.TextMatch;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * What the scheduling pages do, each step through the {@link AccessGate} (decided and audited as
 * the FHIR API decides it) and then the {@link RecordStore} with the permit it gave: list
 * appointments, find schedules and free slots, book a slot, cancel with a reason, move a status.
 * The store enforces the rest: a slot taken meanwhile or a double booking is a {@link
 * org.phylax.records.SchedulingConflictException}.
 */
@Component
class SchedulingDesk {

  static final String VIRTUAL_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
  static final String VIRTUAL_CODE = "VR";

  /** How far back the patient's list reaches, and how far ahead a patient may book. */
  static final int PAST_DAYS = 30;

  static final int BOOKING_DAYS = 14;
  private static final int MAX_LIST = 500;

  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("EEE d MMM yyyy", Locale.ENGLISH);
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);

  private final AccessGate gate;
  private final RecordStore store;
  private final ScheduleDirectory directory;
  private final Clock clock;
  private final ZoneId defaultZone;

  SchedulingDesk(
      AccessGate gate,
      RecordStore store,
      ScheduleDirectory directory,
      ObjectProvider<Clock> clock,
      @Value("${phylax.reminders.zone:UTC}") String defaultZone) {
    this.gate = gate;
    this.store = store;
    this.directory = directory;
    this.clock = clock.getIfAvailable(Clock::systemUTC);
    ZoneId zone;
    try {
      zone = ZoneId.of(defaultZone.strip());
    } catch (DateTimeException e) {
      zone = ZoneId.of("UTC");
    }
    this.defaultZone = zone;
  }

  /** Who acts (the account as it is now) and from where. */
  record Caller(Subject subject, ClientInfo client) {}

  Instant now() {
    return clock.instant();
  }

  // ---------------------------------------------------------------- schedules and slots

  /** The Schedules of practitioners the caller may read, with their practitioners' names. */
  List<Views.ScheduleItem> schedules(Caller caller) {
    Permit permit = gate.enter(request(caller, AccessAction.SEARCH, "Schedule").build());
    List<Views.ScheduleItem> out = new ArrayList<>();
    for (StoredResource r : directory.schedules(permit, 200)) {
      Schedule s = (Schedule) r.resource();
      List<String> names = practitionerNames(permit, s.getActor());
      if (!names.isEmpty()) {
        out.add(new Views.ScheduleItem(r.id(), String.join(", ", names), zoneOf(s).getId()));
      }
    }
    out.sort(Comparator.comparing(Views.ScheduleItem::getLabel));
    return out;
  }

  /** The Schedules naming this Practitioner, for a practitioner's own page. */
  List<Views.ScheduleItem> schedulesOf(Caller caller, UUID practitioner) {
    Permit permit = gate.enter(request(caller, AccessAction.SEARCH, "Schedule").build());
    List<Views.ScheduleItem> out = new ArrayList<>();
    for (StoredResource r : directory.schedulesOf(permit, practitioner)) {
      Schedule s = (Schedule) r.resource();
      out.add(
          new Views.ScheduleItem(
              r.id(),
              String.join(", ", practitionerNames(permit, s.getActor())),
              zoneOf(s).getId()));
    }
    return out;
  }

  /** A Schedule and how the pages name it (directory data: no PHI). */
  record Chosen(Schedule schedule, Views.ScheduleItem item) {}

  /** One Schedule, read as the FHIR API reads it; empty when there is none. */
  Optional<Chosen> schedule(Caller caller, UUID id) {
    Permit permit =
        gate.enter(request(caller, AccessAction.READ, "Schedule").resource(id.toString()).build());
    return read(permit, "Schedule", id)
        .map(Schedule.class::cast)
        .map(
            s ->
                new Chosen(
                    s,
                    new Views.ScheduleItem(
                        id,
                        String.join(", ", practitionerNames(permit, s.getActor())),
                        zoneOf(s).getId())));
  }

  /** The Practitioners among a Schedule's actors. */
  static Set<UUID> practitionersOf(Schedule s) {
    Set<UUID> out = new LinkedHashSet<>();
    for (Reference actor : s.getActor()) {
      idOf(actor, "Practitioner").ifPresent(out::add);
    }
    return out;
  }

  ZoneId zoneOf(DomainResource r) {
    return org.phylax.scheduling.TimeZones.of(r).orElse(defaultZone);
  }

  /** The free Slots of a Schedule from {@code from} to before {@code to}, by day, local time. */
  List<Views.SlotDay> freeSlots(Caller caller, Schedule schedule, Instant from, Instant to) {
    Permit permit = gate.enter(request(caller, AccessAction.SEARCH, "Slot").build());
    UUID id = UUID.fromString(schedule.getIdElement().getIdPart());
    ZoneId zone = zoneOf(schedule);
    Map<String, List<Views.SlotItem>> days = new LinkedHashMap<>();
    for (StoredResource r : store.freeSlots(permit, id, from, to, MAX_LIST)) {
      Slot slot = (Slot) r.resource();
      ZonedDateTime start = slot.getStart().toInstant().atZone(zone);
      ZonedDateTime end = slot.getEnd().toInstant().atZone(zone);
      String day = DAY.format(start);
      days.computeIfAbsent(day, d -> new ArrayList<>())
          .add(new Views.SlotItem(r.id(), day, TIME.format(start) + "–" + TIME.format(end)));
    }
    List<Views.SlotDay> out = new ArrayList<>();
    days.forEach((day, slots) -> out.add(new Views.SlotDay(day, slots)));
    return out;
  }

  /** One Slot with its Schedule's zone, for a booking page; empty when there is none. */
  Optional<Views.SlotItem> slot(Caller caller, UUID id) {
    Permit permit =
        gate.enter(request(caller, AccessAction.READ, "Slot").resource(id.toString()).build());
    return read(permit, "Slot", id)
        .map(Slot.class::cast)
        .map(
            slot -> {
              ZoneId zone =
                  idOf(slot.getSchedule(), "Schedule")
                      .flatMap(s -> read(permit, "Schedule", s))
                      .map(DomainResource.class::cast)
                      .map(this::zoneOf)
                      .orElse(defaultZone);
              ZonedDateTime start = slot.getStart().toInstant().atZone(zone);
              ZonedDateTime end = slot.getEnd().toInstant().atZone(zone);
              return new Views.SlotItem(
                  id,
                  DAY.format(start),
                  TIME.format(start) + "–" + TIME.format(end) + " (" + zone.getId() + ")");
            });
  }

  // ---------------------------------------------------------------- appointments

  /**
   * The patient's own appointments from {@link #PAST_DAYS} days ago on, earliest first; decided as
   * a search of the patient's Appointments (reason SELF) and audited as disclosed.
   */
  List<Views.AppointmentItem> appointmentsOf(Caller caller, UUID patient) {
    AccessRequest request =
        request(caller, AccessAction.SEARCH, "Appointment").patient(patient).build();
    AccessGate.SearchScope scope = gate.search(request);
    Permit permit = scope.permit();
    Instant now = now();
    Instant since = now.minus(java.time.Duration.ofDays(PAST_DAYS));
    List<Appointment> shown = new ArrayList<>();
    for (StoredResource r : store.listOfPatient(permit, "Appointment", patient, 0, MAX_LIST)) {
      Appointment a = (Appointment) r.resource();
      if (a.getStart() != null && !a.getStart().toInstant().isBefore(since)) {
        a.setId(r.id().toString());
        shown.add(a);
      }
    }
    gate.disclosed(request, scope, shown.isEmpty() ? List.of() : List.of(patient));
    shown.sort(Comparator.comparing(Appointment::getStart));
    List<Views.AppointmentItem> out = new ArrayList<>();
    for (Appointment a : shown) {
      out.add(item(permit, a, null, now));
    }
    return out;
  }

  /**
   * The appointments of a Schedule's practitioners that start in {@code [from, to)}, with their
   * patients' names: a search of Appointments by participant and date, limited by the gate to the
   * patients the caller may see (as {@code GET /fhir/Appointment?actor=…&date=…}), each patient on
   * the page audited as disclosed.
   */
  List<Views.AppointmentItem> appointmentsOfSchedule(
      Caller caller, Schedule schedule, Instant from, Instant to) {
    Set<UUID> practitioners = practitionersOf(schedule);
    if (practitioners.isEmpty()) {
      return List.of();
    }
    AccessRequest request = request(caller, AccessAction.SEARCH, "Appointment").build();
    AccessGate.SearchScope scope = gate.search(request);
    Permit permit = scope.permit();
    // The date index is by calendar day; a day's margin either side, the exact cut below.
    RecordQuery query =
        RecordQuery.of("Appointment")
            .equalsAny(
                SearchParameter.ACTOR,
                practitioners.stream().map(p -> "Practitioner/" + p).toList())
            .dateRange(
                SearchParameter.DATE,
                LocalDate.ofInstant(from, java.time.ZoneOffset.UTC).minusDays(1),
                LocalDate.ofInstant(to, java.time.ZoneOffset.UTC).plusDays(1))
            .build();
    List<StoredResource> found = new ArrayList<>();
    for (StoredResource r : store.search(permit, query)) {
      Appointment a = (Appointment) r.resource();
      if (r.patientId() != null
          && a.getStart() != null
          && !a.getStart().toInstant().isBefore(from)
          && a.getStart().toInstant().isBefore(to)) {
        found.add(r);
      }
    }
    found.sort(Comparator.comparing(r -> ((Appointment) r.resource()).getStart()));
    Map<UUID, String> names = new LinkedHashMap<>();
    for (StoredResource r : found) {
      names.computeIfAbsent(
          r.patientId(),
          p ->
              read(permit, "Patient", p)
                  .map(Patient.class::cast)
                  .map(SchedulingDesk::name)
                  .orElse("(no name)"));
    }
    gate.disclosed(request, scope, names.keySet());
    Instant now = now();
    ZoneId zone = zoneOf(schedule);
    List<Views.AppointmentItem> out = new ArrayList<>();
    for (StoredResource r : found) {
      Appointment a = (Appointment) r.resource();
      a.setId(r.id().toString());
      out.add(item(permit, a, names.get(r.patientId()), now, zone));
    }
    return out;
  }

  /**
   * Books {@code slotId} for {@code patient}: an Appointment naming the Slot, status booked, the
   * patient and the Schedule's actors as participants, start and end from the Slot, its type (a
   * video visit) too. Decided as a create of the patient's Appointment.
   *
   * @throws org.phylax.records.SchedulingConflictException when the slot was taken meanwhile
   * @throws RecordNotFoundException when there is no such slot
   */
  UUID book(Caller caller, UUID slotId, UUID patient) {
    Permit permit =
        gate.enter(request(caller, AccessAction.CREATE, "Appointment").patient(patient).build());
    Slot slot =
        read(permit, "Slot", slotId)
            .map(Slot.class::cast)
            .orElseThrow(() -> new RecordNotFoundException("Slot/" + slotId + " does not exist"));
    if (slot.getStart() == null || !slot.getStart().toInstant().isAfter(now())) {
      throw new PageProblem(409, "That time has passed; pick another.");
    }
    Schedule schedule =
        idOf(slot.getSchedule(), "Schedule")
            .flatMap(id -> read(permit, "Schedule", id))
            .map(Schedule.class::cast)
            .orElseThrow(() -> new RecordNotFoundException("the slot's schedule does not exist"));
    Appointment a = new Appointment();
    a.setStatus(AppointmentStatus.BOOKED);
    a.setStart(slot.getStart()).setEnd(slot.getEnd());
    a.addSlot(new Reference("Slot/" + slotId));
    a.setCreated(Date.from(now()));
    if (slot.hasAppointmentType()) {
      a.setAppointmentType(slot.getAppointmentType().copy());
    }
    for (CodeableConcept service : schedule.getServiceType()) {
      a.addServiceType(service.copy());
    }
    a.addParticipant()
        .setActor(new Reference("Patient/" + patient))
        .setStatus(Appointment.ParticipationStatus.ACCEPTED);
    for (Reference actor : schedule.getActor()) {
      a.addParticipant()
          .setActor(new Reference(actor.getReference()))
          .setStatus(Appointment.ParticipationStatus.ACCEPTED);
    }
    return store.create(permit, a).id();
  }

  /**
   * Cancels an appointment that has not started yet with a reason code; frees its slot (the store
   * does, in the same transaction).
   *
   * @throws IllegalStateException with a message for people when it may not be cancelled
   */
  void cancel(Caller caller, UUID appointmentId, String reasonCode, Map<String, String> reasons) {
    String words = reasons.get(reasonCode);
    if (words == null) {
      throw new IllegalStateException("Choose a reason for the cancellation.");
    }
    Permit permit = enterAppointment(caller, AccessAction.UPDATE, appointmentId);
    StoredResource stored = store.read(permit, "Appointment", appointmentId);
    Appointment a = (Appointment) stored.resource();
    if (!Statuses.cancellable(a.getStatus())) {
      throw new IllegalStateException(
          "This appointment is " + Statuses.label(code(a)) + " and can no longer be cancelled.");
    }
    if (a.getStart() != null && !a.getStart().toInstant().isAfter(now())) {
      throw new IllegalStateException("This appointment has already begun.");
    }
    a.setStatus(AppointmentStatus.CANCELLED);
    a.setCancelationReason(
        new CodeableConcept()
            .addCoding(
                new org.hl7.fhir.r4.model.Coding(Statuses.CANCELLATION_SYSTEM, reasonCode, words))
            .setText(words));
    store.update(permit, appointmentId, stored.version(), a);
  }

  /**
   * Moves an appointment to the next status (booked → arrived → fulfilled, booked → no-show).
   *
   * @throws IllegalStateException with a message for people when the move is not allowed
   */
  void move(Caller caller, UUID appointmentId, String status) {
    AppointmentStatus to;
    try {
      to = AppointmentStatus.fromCode(status);
    } catch (org.hl7.fhir.exceptions.FHIRException | IllegalArgumentException e) {
      throw new IllegalStateException("That is not a status an appointment can have.");
    }
    Permit permit = enterAppointment(caller, AccessAction.UPDATE, appointmentId);
    StoredResource stored = store.read(permit, "Appointment", appointmentId);
    Appointment a = (Appointment) stored.resource();
    if (!Statuses.allowed(a.getStatus(), to)) {
      throw new IllegalStateException(
          "An appointment that is "
              + Statuses.label(code(a))
              + " cannot become "
              + Statuses.label(to.toCode())
              + ".");
    }
    a.setStatus(to);
    store.update(permit, appointmentId, stored.version(), a);
  }

  /**
   * Patients the front desk may see whose identifier (an MRN …) equals {@code text}, or, for text
   * without digits, one of whose names starts with it; decided as a search of Patient, each one
   * shown audited as disclosed.
   *
   * @throws IllegalArgumentException with a message for people when the text is too short
   */
  List<Views.PatientItem> findPatients(Caller caller, String text) {
    String value = text == null ? "" : text.strip();
    if (value.isEmpty()) {
      throw new IllegalArgumentException("Enter an identifier (MRN) or the start of a name.");
    }
    RecordQuery query;
    if (value.chars().anyMatch(Character::isDigit)) {
      query =
          RecordQuery.of("Patient").equalsAny(SearchParameter.IDENTIFIER, List.of(value)).build();
    } else {
      try {
        query =
            RecordQuery.of("Patient")
                .text(SearchParameter.NAME, List.of(value), TextMatch.PREFIX)
                .build();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "Enter at least " + TextMatch.MIN_PREFIX_LENGTH + " letters of a name.");
      }
    }
    AccessRequest request = request(caller, AccessAction.SEARCH, "Patient").build();
    AccessGate.SearchScope scope = gate.search(request);
    List<Views.PatientItem> out = new ArrayList<>();
    List<UUID> shown = new ArrayList<>();
    for (StoredResource r : store.search(scope.permit(), query)) {
      if (r.patientId() == null || out.size() >= 20) {
        continue;
      }
      Patient p = (Patient) r.resource();
      shown.add(r.id());
      out.add(
          new Views.PatientItem(
              r.id(),
              name(p),
              p.hasBirthDateElement() ? p.getBirthDateElement().getValueAsString() : "",
              String.join(
                  ", ",
                  p.getIdentifier().stream()
                      .filter(Identifier::hasValue)
                      .map(Identifier::getValue)
                      .toList())));
    }
    gate.disclosed(request, scope, shown);
    return out;
  }

  // ---------------------------------------------------------------- helpers

  /** Enters the gate for an existing appointment, by the patient it belongs to. */
  private Permit enterAppointment(Caller caller, AccessAction action, UUID id) {
    UUID patient =
        store
            .patientOf("Appointment", id)
            .orElseThrow(() -> new RecordNotFoundException("Appointment/" + id + " not found"));
    return gate.enter(
        request(caller, action, "Appointment").resource(id.toString()).patient(patient).build());
  }

  private Views.AppointmentItem item(Permit permit, Appointment a, String patient, Instant now) {
    return item(permit, a, patient, now, null);
  }

  /**
   * An appointment as a line: in {@code zone} when given (a schedule's week is read in one zone),
   * else in its Location's zone, else its Slot's Schedule's, else the default.
   */
  private Views.AppointmentItem item(
      Permit permit, Appointment a, String patient, Instant now, ZoneId zone) {
    Optional<Location> location = Optional.empty();
    for (Appointment.AppointmentParticipantComponent p : a.getParticipant()) {
      Optional<UUID> id = idOf(p.getActor(), "Location");
      if (id.isPresent()) {
        location = read(permit, "Location", id.get()).map(Location.class::cast);
        break;
      }
    }
    if (zone == null) {
      zone =
          location
              .flatMap(org.phylax.scheduling.TimeZones::of)
              .or(() -> scheduleZone(permit, a))
              .orElse(defaultZone);
    }
    String place = isVirtual(a) ? "Video visit" : location.map(Location::getName).orElse("");
    List<String> practitioners = practitionerNames(permit, actors(a));
    ZonedDateTime start = a.getStart().toInstant().atZone(zone);
    String day = DAY.format(start);
    String time =
        TIME.format(start)
            + (a.getEnd() == null ? "" : "–" + TIME.format(a.getEnd().toInstant().atZone(zone)));
    boolean upcoming = a.getStart().toInstant().isAfter(now);
    return new Views.AppointmentItem(
        UUID.fromString(a.getIdElement().getIdPart()),
        day + ", " + TIME.format(start) + " (" + zone.getId() + ")",
        day,
        time,
        zone.getId(),
        String.join(", ", practitioners),
        place,
        patient,
        code(a),
        upcoming,
        upcoming && Statuses.cancellable(a.getStatus()),
        Statuses.next(a.getStatus()));
  }

  private static List<Reference> actors(Appointment a) {
    List<Reference> out = new ArrayList<>();
    for (Appointment.AppointmentParticipantComponent p : a.getParticipant()) {
      out.add(p.getActor());
    }
    return out;
  }

  private static String code(Appointment a) {
    return a.getStatus() == null ? null : a.getStatus().toCode();
  }

  static boolean isVirtual(Appointment a) {
    CodeableConcept type = a.getAppointmentType();
    return type != null
        && type.getCoding().stream()
            .anyMatch(
                c -> VIRTUAL_SYSTEM.equals(c.getSystem()) && VIRTUAL_CODE.equals(c.getCode()));
  }

  /** The zone of the Schedule of the appointment's first Slot that names one. */
  private Optional<ZoneId> scheduleZone(Permit permit, Appointment a) {
    for (Reference slotRef : a.getSlot()) {
      Optional<ZoneId> zone =
          idOf(slotRef, "Slot")
              .flatMap(id -> read(permit, "Slot", id))
              .map(Slot.class::cast)
              .flatMap(s -> idOf(s.getSchedule(), "Schedule"))
              .flatMap(id -> read(permit, "Schedule", id))
              .map(DomainResource.class::cast)
              .flatMap(org.phylax.scheduling.TimeZones::of);
      if (zone.isPresent()) {
        return zone;
      }
    }
    return Optional.empty();
  }

  private List<String> practitionerNames(Permit permit, List<Reference> actors) {
    List<String> out = new ArrayList<>();
    for (Reference actor : actors) {
      idOf(actor, "Practitioner")
          .flatMap(id -> read(permit, "Practitioner", id))
          .map(Practitioner.class::cast)
          .map(p -> name(p.getName()))
          .ifPresent(out::add);
    }
    return out;
  }

  static String name(Patient p) {
    return name(p.getName());
  }

  /** The official (else usual, else first) name as people write it: given names, family. */
  static String name(List<HumanName> names) {
    Optional<HumanName> name =
        names.stream()
            .filter(n -> n.getUse() == HumanName.NameUse.OFFICIAL)
            .findFirst()
            .or(() -> names.stream().filter(n -> n.getUse() == HumanName.NameUse.USUAL).findFirst())
            .or(() -> names.stream().findFirst());
    return name.map(
            n -> {
              if (n.hasText()) {
                return n.getText();
              }
              StringBuilder s = new StringBuilder();
              n.getPrefix().forEach(x -> s.append(x.getValue()).append(' '));
              n.getGiven().forEach(x -> s.append(x.getValue()).append(' '));
              if (n.hasFamily()) {
                s.append(n.getFamily());
              }
              return s.toString().strip();
            })
        .filter(s -> !s.isEmpty())
        .orElse("(no name)");
  }

  private Optional<Resource> read(Permit permit, String type, UUID id) {
    try {
      return Optional.of(store.read(permit, type, id).resource());
    } catch (RecordNotFoundException | RecordDeletedException e) {
      return Optional.empty();
    }
  }

  static Optional<UUID> idOf(Reference ref, String type) {
    if (ref == null || !ref.hasReference()) {
      return Optional.empty();
    }
    String[] parts = ref.getReference().split("/");
    if (parts.length < 2 || !type.equals(parts[parts.length - 2])) {
      return Optional.empty();
    }
    try {
      return Optional.of(UUID.fromString(parts[parts.length - 1]));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static AccessRequest.Builder request(Caller caller, AccessAction action, String type) {
    return AccessRequest.of(caller.subject(), action, type).client(caller.client());
  }
}
