package org.phylax.records.internal;

import java.time.ZoneId;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Appointment.AppointmentStatus;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Resource;
import org.phylax.access.Permit;

/**
 * The rules an Appointment's life follows and the time zone every Location carries, checked by the
 * record store on each create and update (whichever API the write came through), before anything is
 * written. Re-indexing what is already stored does not apply them. Messages name statuses and
 * elements only, never a patient. docs/scheduling.md has the table.
 */
final class SchedulingRules {

  /**
   * The statuses an Appointment may move to from each status; staying in the same status is always
   * allowed (other edits), and {@code entered-in-error} may follow any status.
   */
  static final Map<AppointmentStatus, Set<AppointmentStatus>> NEXT =
      Map.of(
          AppointmentStatus.PROPOSED,
              EnumSet.of(
                  AppointmentStatus.PENDING,
                  AppointmentStatus.WAITLIST,
                  AppointmentStatus.BOOKED,
                  AppointmentStatus.CANCELLED),
          AppointmentStatus.PENDING,
              EnumSet.of(
                  AppointmentStatus.PROPOSED,
                  AppointmentStatus.WAITLIST,
                  AppointmentStatus.BOOKED,
                  AppointmentStatus.CANCELLED),
          AppointmentStatus.WAITLIST,
              EnumSet.of(
                  AppointmentStatus.PROPOSED,
                  AppointmentStatus.PENDING,
                  AppointmentStatus.BOOKED,
                  AppointmentStatus.CANCELLED),
          AppointmentStatus.BOOKED,
              EnumSet.of(
                  AppointmentStatus.ARRIVED,
                  AppointmentStatus.CHECKEDIN,
                  AppointmentStatus.CANCELLED,
                  AppointmentStatus.NOSHOW),
          AppointmentStatus.ARRIVED,
              EnumSet.of(
                  AppointmentStatus.CHECKEDIN,
                  AppointmentStatus.FULFILLED,
                  AppointmentStatus.CANCELLED),
          AppointmentStatus.CHECKEDIN,
              EnumSet.of(AppointmentStatus.FULFILLED, AppointmentStatus.CANCELLED));

  /** The statuses a patient acting on their own record may give an appointment. */
  static final Set<AppointmentStatus> PATIENT_SETS =
      EnumSet.of(AppointmentStatus.BOOKED, AppointmentStatus.CANCELLED);

  /** The statuses of an appointment a patient may still change: not yet arrived, not final. */
  static final Set<AppointmentStatus> PATIENT_CHANGES =
      EnumSet.of(
          AppointmentStatus.PROPOSED,
          AppointmentStatus.PENDING,
          AppointmentStatus.WAITLIST,
          AppointmentStatus.BOOKED);

  private SchedulingRules() {}

  /**
   * Checks a resource about to be written; {@code before} is its current stored version (null for a
   * create). A Location without a zone gets {@code defaultZone} when there is one.
   *
   * @throws IllegalArgumentException naming the rule broken
   */
  static void check(Permit permit, Resource before, Resource after, ZoneId defaultZone) {
    if (after instanceof Location location) {
      zoneOf(location, defaultZone);
    } else if (after instanceof Appointment appointment) {
      appointment(permit, (Appointment) before, appointment);
    }
  }

  static void zoneOf(Location location, ZoneId defaultZone) {
    Extension zone = location.getExtensionByUrl(Links.TIME_ZONE);
    if (zone == null && defaultZone != null) {
      location.addExtension(Links.TIME_ZONE, new CodeType(defaultZone.getId()));
      return;
    }
    String id = zone == null || zone.getValue() == null ? null : zone.getValue().primitiveValue();
    if (id == null || !ZoneId.getAvailableZoneIds().contains(id)) {
      throw new IllegalArgumentException(
          "Location needs an IANA time zone (a code such as America/New_York) in the extension "
              + Links.TIME_ZONE);
    }
  }

  private static void appointment(Permit permit, Appointment before, Appointment after) {
    AppointmentStatus from = before == null || !before.hasStatus() ? null : before.getStatus();
    AppointmentStatus to = after.hasStatus() ? after.getStatus() : null;
    if (to == null) {
      if (from != null || permit.reason() == Permit.Reason.SELF) {
        throw new IllegalArgumentException("Appointment.status is required");
      }
      return; // an appointment without a status books nothing (FHIR requires one; old data)
    }
    if (from != null && from != to && !allowed(from, to)) {
      throw new IllegalArgumentException(
          "Appointment.status cannot change from "
              + from.toCode()
              + " to "
              + to.toCode()
              + (NEXT.containsKey(from)
                  ? ""
                  : ": " + from.toCode() + " is final; book a new appointment instead"));
    }
    if (to == AppointmentStatus.CANCELLED && !after.hasCancelationReason()) {
      throw new IllegalArgumentException(
          "Appointment.cancelationReason is required when the status is cancelled");
    }
    if (permit.reason() == Permit.Reason.SELF) {
      if (from != null && !PATIENT_CHANGES.contains(from)) {
        throw new IllegalArgumentException(
            "A patient cannot change an appointment whose status is " + from.toCode());
      }
      if (!PATIENT_SETS.contains(to)) {
        throw new IllegalArgumentException(
            "A patient may book (status booked) or cancel (status cancelled) an appointment,"
                + " not set it to "
                + to.toCode());
      }
      if (!after.hasSlot()) {
        throw new IllegalArgumentException("A patient books an Appointment through a free Slot");
      }
    }
  }

  static boolean allowed(AppointmentStatus from, AppointmentStatus to) {
    return from == to
        || to == AppointmentStatus.ENTEREDINERROR
        || NEXT.getOrDefault(from, Set.of()).contains(to);
  }
}
