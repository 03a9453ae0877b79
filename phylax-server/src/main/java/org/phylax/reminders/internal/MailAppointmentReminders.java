package org.phylax.reminders.internal;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Schedule;
import org.hl7.fhir.r4.model.Slot;
import org.phylax.access.Permit;
import org.phylax.audit.AuditAction;
import org.phylax.audit.AuditEvent;
import org.phylax.audit.AuditLog;
import org.phylax.records.RecordDeletedException;
import org.phylax.records.RecordNotFoundException;
import org.phylax.records.RecordStore;
import org.phylax.records.RecordStore.Booking;
import org.phylax.records.StoredResource;
import org.phylax.reminders.AppointmentReminders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.mail.MailException;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.MimeMessageHelper;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Reminders through Spring's {@link JavaMailSender}, with the claims in {@code reminder_sent}.
 *
 * <p>Each due appointment is handled in a transaction of its own that locks its claim row with
 * {@code FOR UPDATE SKIP LOCKED} and keeps the lock until the email is sent and the row says so: a
 * second server skips the row meanwhile and, once the lock is gone, finds it sent. A crash before
 * the commit rolls the claim back, so the next pass sends again — at least once, and a duplicate
 * only when the crash falls between the SMTP server's acceptance and the commit. A lost reminder (a
 * missed visit) costs more than a repeated one, which goes to the same patient.
 *
 * <p>Logs name appointment ids only: an email address, a name or a time of a patient is PHI.
 */
class MailAppointmentReminders implements AppointmentReminders {

  /** Marks a video visit in {@code Appointment.appointmentType}: v3 ActCode "virtual". */
  static final String VIRTUAL_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

  static final String VIRTUAL_CODE = "VR";

  /** The IANA time zone of a Location or Schedule. */
  private static final Logger log = LoggerFactory.getLogger(MailAppointmentReminders.class);

  private enum Result {
    SENT,
    SKIPPED,
    FAILED,
    BUSY,
    DONE
  }

  private final RecordStore store;
  private final Permit permit;
  private final AuditLog audit;
  private final ObjectProvider<JavaMailSender> mail;
  private final JdbcTemplate jdbc;
  private final TransactionTemplate tx;
  private final ReminderSettings settings;
  private final Clock clock;

  MailAppointmentReminders(
      RecordStore store,
      Permit permit,
      AuditLog audit,
      ObjectProvider<JavaMailSender> mail,
      JdbcTemplate jdbc,
      TransactionTemplate tx,
      ReminderSettings settings,
      Clock clock) {
    this.store = store;
    this.permit = permit;
    this.audit = audit;
    this.mail = mail;
    this.jdbc = jdbc;
    this.tx = tx;
    this.settings = settings;
    this.clock = clock;
  }

  @Scheduled(
      fixedDelayString = "${phylax.reminders.poll:1m}",
      initialDelayString = "${phylax.reminders.poll:1m}")
  void poll() {
    try {
      Pass pass = remindDue();
      if (pass.failed() > 0) {
        log.warn("Appointment reminders: {} not delivered, tried again later", pass.failed());
      }
    } catch (RuntimeException e) {
      // The class only: a mail or database exception's message may carry an address.
      log.warn("Appointment reminders: pass stopped ({}), the next one goes on", e.getClass());
    }
  }

  @Override
  public Pass remindDue() {
    JavaMailSender sender = mail.getIfAvailable();
    if (sender == null) {
      return Pass.NONE;
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    List<Booking> due = store.bookingsStarting(permit, now, now.plus(settings.lead()));
    if (due.isEmpty()) {
      return Pass.NONE;
    }
    Map<UUID, Claim> claims = claims(due);
    List<Object[]> fresh =
        due.stream()
            .filter(b -> !claims.containsKey(b.appointmentId()))
            .map(b -> new Object[] {b.appointmentId(), ts(b.start()), ts(now), ts(now)})
            .toList();
    if (!fresh.isEmpty()) {
      // Committed at once, before any lock is taken: a server that races this insert waits only
      // for it, never for another's email.
      jdbc.batchUpdate(
          "insert into reminder_sent (appointment_id, starts_at, state, attempts, next_attempt,"
              + " updated_at) values (?, ?, 'pending', 0, ?, ?) on conflict do nothing",
          fresh);
    }
    int sent = 0;
    int skipped = 0;
    int failed = 0;
    int busy = 0;
    for (Booking b : due) {
      Claim known = claims.get(b.appointmentId());
      if (known != null && known.settles(b, now)) {
        continue;
      }
      Result r = tx.execute(status -> remind(b, sender, now));
      switch (r) {
        case SENT -> sent++;
        case SKIPPED -> skipped++;
        case FAILED -> failed++;
        case BUSY -> busy++;
        case DONE -> {}
      }
    }
    return new Pass(sent, skipped, failed, busy);
  }

  /** One appointment, inside its transaction: claim, decide, audit, send, settle. */
  private Result remind(Booking b, JavaMailSender sender, Instant now) {
    Optional<Claim> locked =
        jdbc
            .query(
                "select starts_at, state, attempts, next_attempt from reminder_sent"
                    + " where appointment_id = ? for update skip locked",
                (rs, n) -> new Claim(instant(rs, 1), rs.getString(2), rs.getInt(3), instant(rs, 4)),
                b.appointmentId())
            .stream()
            .findFirst();
    if (locked.isEmpty()) {
      return Result.BUSY;
    }
    Claim claim = locked.get();
    if (claim.settles(b, now)) {
      return Result.DONE;
    }
    int attempts = claim.startsAt().equals(b.start()) ? claim.attempts() : 0;
    Result result = deliver(b, sender);
    String state =
        switch (result) {
          case SENT -> "sent";
          case SKIPPED -> "skipped";
          default -> "pending";
        };
    Instant next = result == Result.FAILED ? now.plus(settings.retry()) : now;
    jdbc.update(
        "update reminder_sent set starts_at = ?, state = ?, attempts = ?, next_attempt = ?,"
            + " updated_at = ? where appointment_id = ?",
        ts(b.start()),
        state,
        result == Result.SKIPPED ? attempts : attempts + 1,
        ts(next),
        ts(now),
        b.appointmentId());
    return result;
  }

  private Result deliver(Booking b, JavaMailSender sender) {
    StoredResource stored;
    Patient patient;
    try {
      stored = store.read(permit, "Appointment", b.appointmentId());
      patient = (Patient) store.read(permit, "Patient", b.patientId()).resource();
    } catch (RecordNotFoundException | RecordDeletedException e) {
      return Result.SKIPPED;
    }
    Appointment appointment = (Appointment) stored.resource();
    if (appointment.getStatus() != Appointment.AppointmentStatus.BOOKED
        || appointment.getStart() == null) {
      return Result.SKIPPED;
    }
    Optional<String> address = email(patient);
    if (address.isEmpty()) {
      log.info("Appointment/{}: no reminder, the patient has no email address", b.appointmentId());
      return Result.SKIPPED;
    }
    boolean virtual = isVirtual(appointment);
    Optional<Location> location = location(appointment);
    ZoneId zone =
        location
            .flatMap(org.phylax.scheduling.TimeZones::of)
            .or(() -> scheduleZone(appointment))
            .orElse(settings.zone());
    ReminderMessage message =
        ReminderMessage.of(
            firstName(patient),
            appointment.getStart().toInstant(),
            zone,
            virtual,
            location.map(Location::getName).orElse(null),
            settings.link());
    // Durable before the email leaves; an audit log that is down stops the pass (the exception
    // rolls this claim back, so the reminder is not lost).
    audit.record(event(stored, AuditEvent.Outcome.PERMIT, "appointment reminder by email"));
    try {
      MimeMessage mime = sender.createMimeMessage();
      MimeMessageHelper h = new MimeMessageHelper(mime, "UTF-8");
      h.setFrom(settings.from());
      h.setTo(address.get());
      h.setSubject(message.subject());
      h.setText(message.body());
      mime.setHeader("Auto-Submitted", "auto-generated");
      sender.send(mime);
    } catch (MailException | MessagingException e) {
      audit.record(event(stored, AuditEvent.Outcome.FAILURE, "not delivered: " + e.getClass()));
      log.warn(
          "Appointment/{}: reminder not delivered ({}), tried again later",
          b.appointmentId(),
          e.getClass().getSimpleName());
      return Result.FAILED;
    }
    log.info("Appointment/{}: reminder sent", b.appointmentId());
    return Result.SENT;
  }

  private AuditEvent event(StoredResource appointment, AuditEvent.Outcome outcome, String reason) {
    return AuditEvent.builder(AuditAction.DISCLOSE, outcome)
        .at(clock.instant())
        .actor(permit.actor(), "system", null)
        .entity("Appointment", appointment.id().toString(), appointment.version())
        .patient(appointment.patientId())
        .purpose("TREAT")
        .reason(reason)
        .build();
  }

  // ---------------------------------------------------------------- the minimum necessary

  static boolean isVirtual(Appointment a) {
    CodeableConcept type = a.getAppointmentType();
    return type != null
        && type.getCoding().stream()
            .anyMatch(
                c -> VIRTUAL_SYSTEM.equals(c.getSystem()) && VIRTUAL_CODE.equals(c.getCode()));
  }

  /** The address to write to: an email contact point in use, the best ranked first. */
  private Optional<String> email(Patient p) {
    Date now = Date.from(clock.instant());
    return p.getTelecom().stream()
        .filter(t -> t.getSystem() == ContactPoint.ContactPointSystem.EMAIL)
        .filter(t -> t.hasValue() && !t.getValue().isBlank())
        .filter(t -> t.getUse() != ContactPoint.ContactPointUse.OLD)
        .filter(
            t ->
                !t.hasPeriod()
                    || t.getPeriod().getEnd() == null
                    || t.getPeriod().getEnd().after(now))
        .min(Comparator.comparingInt(t -> t.hasRank() ? t.getRank() : Integer.MAX_VALUE))
        .map(t -> t.getValue().strip());
  }

  /** The first given name of the official (else usual, else first) name; never the family name. */
  private static String firstName(Patient p) {
    List<HumanName> names = p.getName();
    Optional<HumanName> name =
        names.stream()
            .filter(n -> n.getUse() == HumanName.NameUse.OFFICIAL && n.hasGiven())
            .findFirst()
            .or(
                () ->
                    names.stream()
                        .filter(n -> n.getUse() == HumanName.NameUse.USUAL && n.hasGiven())
                        .findFirst())
            .or(() -> names.stream().filter(HumanName::hasGiven).findFirst());
    return name.map(n -> n.getGiven().get(0).getValue()).orElse(null);
  }

  /** The first Location taking part, when it is still there. */
  private Optional<Location> location(Appointment a) {
    for (Appointment.AppointmentParticipantComponent p : a.getParticipant()) {
      Optional<UUID> id = idOf(p.getActor(), "Location");
      if (id.isPresent()) {
        return read("Location", id.get()).map(Location.class::cast);
      }
    }
    return Optional.empty();
  }

  /** The time zone of the Schedule of the Appointment's first Slot, if it names one. */
  private Optional<ZoneId> scheduleZone(Appointment a) {
    for (Reference slotRef : a.getSlot()) {
      Optional<ZoneId> zone =
          idOf(slotRef, "Slot")
              .flatMap(id -> read("Slot", id))
              .map(Slot.class::cast)
              .flatMap(s -> idOf(s.getSchedule(), "Schedule"))
              .flatMap(id -> read("Schedule", id))
              .map(Schedule.class::cast)
              .flatMap(org.phylax.scheduling.TimeZones::of);
      if (zone.isPresent()) {
        return zone;
      }
    }
    return Optional.empty();
  }

  private Optional<org.hl7.fhir.r4.model.Resource> read(String type, UUID id) {
    try {
      return Optional.of(store.read(permit, type, id).resource());
    } catch (RecordNotFoundException | RecordDeletedException e) {
      return Optional.empty();
    }
  }

  private static Optional<UUID> idOf(Reference ref, String type) {
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

  // ---------------------------------------------------------------- claims

  private Map<UUID, Claim> claims(List<Booking> due) {
    Map<UUID, Claim> out = new HashMap<>();
    jdbc.query(
        "select appointment_id, starts_at, state, attempts, next_attempt from reminder_sent"
            + " where appointment_id = any(?)",
        rs -> {
          out.put(
              rs.getObject(1, UUID.class),
              new Claim(instant(rs, 2), rs.getString(3), rs.getInt(4), instant(rs, 5)));
        },
        (Object) due.stream().map(Booking::appointmentId).toArray(UUID[]::new));
    return out;
  }

  /** A row of reminder_sent: surrogate id, times, state; no PHI. */
  private record Claim(Instant startsAt, String state, int attempts, Instant nextAttempt) {

    /** Nothing to do now for this booking: settled for its start, or waiting for its retry. */
    boolean settles(Booking b, Instant now) {
      return startsAt.equals(b.start()) && (!"pending".equals(state) || nextAttempt.isAfter(now));
    }
  }

  private static OffsetDateTime ts(Instant i) {
    return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    return rs.getObject(column, OffsetDateTime.class).toInstant();
  }
}
