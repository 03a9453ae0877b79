package org.phylax.records.internal;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Schedule;
import org.hl7.fhir.r4.model.Slot;

/**
 * The relationships a resource states between a patient and the workforce, as rows of {@code
 * record_link} and {@code record_affiliation}. Only references of the form {@code
 * Practitioner/<uuid>}, {@code PractitionerRole/<uuid>} or {@code Organization/<uuid>} (Phylax ids)
 * count; anything else links no one, which is the safe way to be wrong.
 */
final class Links {

  static final String ASSIGNED = "assigned";
  static final String MANAGED = "managed";
  static final String CARE_TEAM = "care_team";
  static final String CONSENT_PERMIT = "consent_permit";
  static final String CONSENT_DENY = "consent_deny";

  private static final Pattern ACTOR =
      Pattern.compile(
          "(?:Practitioner|PractitionerRole|Organization)/"
              + "([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})");

  /** One row of record_link. */
  record Link(UUID patientId, String kind, UUID actorId, boolean timed) {}

  /** One row of record_affiliation. */
  record Affiliation(UUID practitionerId, UUID organizationId, boolean timed) {}

  /**
   * One row of record_booking: a Practitioner, PractitionerRole or Location taking part in an
   * Appointment from {@code start} (inclusive) to {@code end} (exclusive); {@code holds} when the
   * appointment keeps that time for itself (no other may overlap it).
   */
  record Booking(UUID actorId, String actorType, Instant start, Instant end, boolean holds) {}

  /** Appointment statuses that hold their participants' time. */
  private static final Set<Appointment.AppointmentStatus> HOLDING =
      EnumSet.of(
          Appointment.AppointmentStatus.BOOKED,
          Appointment.AppointmentStatus.ARRIVED,
          Appointment.AppointmentStatus.CHECKEDIN);

  private static final Pattern BOOKABLE =
      Pattern.compile(
          "(Practitioner|PractitionerRole|Location)/"
              + "([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})");

  private Links() {}

  /** The links of the resource's current version ({@code patientId} is the resource's patient). */
  static List<Link> of(Resource resource, UUID patientId) {
    List<Link> out = new ArrayList<>();
    if (resource instanceof Patient p) {
      for (Reference gp : p.getGeneralPractitioner()) {
        add(out, patientId, ASSIGNED, gp, false);
      }
      add(out, patientId, MANAGED, p.getManagingOrganization(), false);
      if (!p.getActiveElement().isEmpty() && !p.getActive()) {
        out.clear(); // an inactive patient record assigns no one
      }
    } else if (resource instanceof CareTeam team) {
      if (team.getStatus() == CareTeam.CareTeamStatus.ACTIVE) {
        for (CareTeam.CareTeamParticipantComponent member : team.getParticipant()) {
          add(
              out,
              patientId,
              CARE_TEAM,
              member.getMember(),
              team.hasPeriod() || member.hasPeriod());
        }
      }
    } else if (resource instanceof Consent consent) {
      if (consent.getStatus() == Consent.ConsentState.ACTIVE && consent.hasProvision()) {
        provisions(consent.getProvision(), null, false, patientId, out);
      }
    }
    return out;
  }

  private static void provisions(
      Consent.ProvisionComponent provision,
      Consent.ConsentProvisionType inherited,
      boolean timedAbove,
      UUID patientId,
      List<Link> out) {
    Consent.ConsentProvisionType type = provision.hasType() ? provision.getType() : inherited;
    boolean timed = timedAbove || provision.hasPeriod();
    if (type != null) {
      String kind = type == Consent.ConsentProvisionType.DENY ? CONSENT_DENY : CONSENT_PERMIT;
      for (Consent.provisionActorComponent actor : provision.getActor()) {
        add(out, patientId, kind, actor.getReference(), timed);
      }
    }
    for (Consent.ProvisionComponent nested : provision.getProvision()) {
      provisions(nested, type, timed, patientId, out);
    }
  }

  /**
   * The bookings an Appointment states: one per Practitioner, PractitionerRole or Location
   * participant that has not declined, when the appointment is booked, arrived or checked in
   * (holding the time) or fulfilled (not holding it, but still a reason to see the record). Other
   * statuses (proposed, pending, cancelled, no-show, entered in error, waitlist) book no one.
   *
   * @throws IllegalArgumentException when a booked appointment lacks its start or end, or ends
   *     before it starts
   */
  static List<Booking> bookingsOf(Resource resource) {
    List<Booking> out = new ArrayList<>();
    if (!(resource instanceof Appointment appointment) || !appointment.hasStatus()) {
      return out;
    }
    Appointment.AppointmentStatus status = appointment.getStatus();
    boolean holds = HOLDING.contains(status);
    if (!holds && status != Appointment.AppointmentStatus.FULFILLED) {
      return out;
    }
    if (!appointment.hasStart() || !appointment.hasEnd()) {
      throw new IllegalArgumentException(
          "Appointment.start and Appointment.end are required when the status is "
              + status.toCode());
    }
    Instant start = appointment.getStart().toInstant();
    Instant end = appointment.getEnd().toInstant();
    if (!end.isAfter(start)) {
      throw new IllegalArgumentException("Appointment.end must be after Appointment.start");
    }
    Set<UUID> seen = new HashSet<>();
    for (Appointment.AppointmentParticipantComponent p : appointment.getParticipant()) {
      if (p.getStatus() == Appointment.ParticipationStatus.DECLINED || !p.hasActor()) {
        continue;
      }
      Matcher m = BOOKABLE.matcher(String.valueOf(p.getActor().getReference()));
      if (m.matches()) {
        UUID actor = UUID.fromString(m.group(2));
        if (seen.add(actor)) {
          out.add(new Booking(actor, m.group(1), start, end, holds));
        }
      }
    }
    return out;
  }

  /** The affiliation an active PractitionerRole states, or null. */
  static Affiliation affiliationOf(Resource resource) {
    if (!(resource instanceof PractitionerRole role)) {
      return null;
    }
    if (role.hasActive() && !role.getActive()) {
      return null;
    }
    UUID practitioner = idOf(role.getPractitioner());
    if (practitioner == null) {
      return null;
    }
    return new Affiliation(practitioner, idOf(role.getOrganization()), role.hasPeriod());
  }

  /**
   * Whether a timed link still holds at {@code at}: for a CareTeam the team's and the member's
   * periods, for a Consent the periods of every provision on the way to one naming the actor.
   */
  static boolean inForce(Resource resource, String kind, UUID actorId, Instant at) {
    if (resource instanceof CareTeam team) {
      if (team.getStatus() != CareTeam.CareTeamStatus.ACTIVE || !contains(team.getPeriod(), at)) {
        return false;
      }
      for (CareTeam.CareTeamParticipantComponent member : team.getParticipant()) {
        if (actorId.equals(idOf(member.getMember())) && contains(member.getPeriod(), at)) {
          return true;
        }
      }
      return false;
    }
    if (resource instanceof Consent consent) {
      return consent.getStatus() == Consent.ConsentState.ACTIVE
          && consent.hasProvision()
          && provisionHolds(consent.getProvision(), null, kind, actorId, at);
    }
    if (resource instanceof PractitionerRole role) {
      return (!role.hasActive() || role.getActive()) && contains(role.getPeriod(), at);
    }
    return false;
  }

  private static boolean provisionHolds(
      Consent.ProvisionComponent provision,
      Consent.ConsentProvisionType inherited,
      String kind,
      UUID actorId,
      Instant at) {
    if (!contains(provision.getPeriod(), at)) {
      return false;
    }
    Consent.ConsentProvisionType type = provision.hasType() ? provision.getType() : inherited;
    if (type != null) {
      String here = type == Consent.ConsentProvisionType.DENY ? CONSENT_DENY : CONSENT_PERMIT;
      if (here.equals(kind)) {
        for (Consent.provisionActorComponent actor : provision.getActor()) {
          if (actorId.equals(idOf(actor.getReference()))) {
            return true;
          }
        }
      }
    }
    for (Consent.ProvisionComponent nested : provision.getProvision()) {
      if (provisionHolds(nested, type, kind, actorId, at)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code at} lies in the period; a missing bound is open. A bound given to the day (or
   * month, or year) includes all of it, as a person writing "until 2026-03-31" means.
   */
  static boolean contains(Period period, Instant at) {
    if (period == null || period.isEmpty()) {
      return true;
    }
    if (period.hasStart() && at.isBefore(period.getStart().toInstant())) {
      return false;
    }
    if (period.hasEnd()) {
      Date end = period.getEnd();
      TemporalPrecisionEnum precision = period.getEndElement().getPrecision();
      Instant endExclusive =
          switch (precision) {
            case YEAR, MONTH, DAY -> {
              var element = period.getEndElement().copy();
              element.add(precision.getCalendarConstant(), 1);
              yield element.getValue().toInstant();
            }
            default -> end.toInstant().plusMillis(1);
          };
      return at.isBefore(endExclusive);
    }
    return true;
  }

  private static void add(
      List<Link> out, UUID patientId, String kind, Reference reference, boolean timed) {
    UUID actor = idOf(reference);
    if (actor != null) {
      out.add(new Link(patientId, kind, actor, timed));
    }
  }

  static UUID idOf(Reference reference) {
    if (reference == null || !reference.hasReference()) {
      return null;
    }
    Matcher m = ACTOR.matcher(reference.getReference());
    return m.matches() ? UUID.fromString(m.group(1)) : null;
  }

  /**
   * One row of record_slot: a Slot's schedule, time {@code [start, end)}, and whether it is free.
   */
  record SlotTime(UUID scheduleId, Instant start, Instant end, boolean free) {}

  private static final Pattern SCHEDULE =
      Pattern.compile(
          "Schedule/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})");

  private static final Pattern SLOT =
      Pattern.compile(
          "Slot/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})");

  /** The standard extension that gives a Schedule (or Location) its IANA time zone. */
  static final String TIME_ZONE = "http://hl7.org/fhir/StructureDefinition/timezone";

  /**
   * The Practitioners, PractitionerRoles and Locations a Schedule is for (Schedule.actor).
   *
   * @throws IllegalArgumentException when a Schedule has no valid IANA time zone: its slots are
   *     planned in local time, which means nothing without one
   */
  static Set<UUID> scheduleActorsOf(Resource resource) {
    Set<UUID> out = new HashSet<>();
    if (resource instanceof Schedule schedule) {
      org.hl7.fhir.r4.model.Extension zone = schedule.getExtensionByUrl(TIME_ZONE);
      String id = zone == null || zone.getValue() == null ? null : zone.getValue().primitiveValue();
      if (id == null || !java.time.ZoneId.getAvailableZoneIds().contains(id)) {
        throw new IllegalArgumentException(
            "Schedule needs an IANA time zone (a code such as America/New_York) in the extension "
                + TIME_ZONE);
      }
      for (Reference actor : schedule.getActor()) {
        Matcher m = BOOKABLE.matcher(String.valueOf(actor.getReference()));
        if (m.matches()) {
          out.add(UUID.fromString(m.group(2)));
        }
      }
    }
    return out;
  }

  /**
   * The time a Slot offers, or null for another resource.
   *
   * @throws IllegalArgumentException when a Slot lacks its Schedule, start or end, or ends before
   *     it starts (FHIR requires all three)
   */
  static SlotTime slotOf(Resource resource) {
    if (!(resource instanceof Slot slot)) {
      return null;
    }
    Matcher m = SCHEDULE.matcher(String.valueOf(slot.getSchedule().getReference()));
    if (!m.matches()) {
      throw new IllegalArgumentException("Slot.schedule must reference a Schedule/<id>");
    }
    if (!slot.hasStart() || !slot.hasEnd()) {
      throw new IllegalArgumentException("Slot.start and Slot.end are required");
    }
    Instant start = slot.getStart().toInstant();
    Instant end = slot.getEnd().toInstant();
    if (!end.isAfter(start)) {
      throw new IllegalArgumentException("Slot.end must be after Slot.start");
    }
    return new SlotTime(
        UUID.fromString(m.group(1)), start, end, slot.getStatus() == Slot.SlotStatus.FREE);
  }

  /**
   * The Slots an Appointment takes (Appointment.slot) while it holds its participants' time
   * (booked, arrived, checked in); none in any other status, so that cancelling or a no-show gives
   * them back.
   */
  static Set<UUID> slotsHeldBy(Resource resource) {
    Set<UUID> out = new HashSet<>();
    if (resource instanceof Appointment appointment
        && appointment.hasStatus()
        && HOLDING.contains(appointment.getStatus())) {
      for (Reference ref : appointment.getSlot()) {
        Matcher m = SLOT.matcher(String.valueOf(ref.getReference()));
        if (!m.matches()) {
          throw new IllegalArgumentException("Appointment.slot must reference a Slot/<id>");
        }
        out.add(UUID.fromString(m.group(1)));
      }
    }
    return out;
  }
}
