package org.phylax.access;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What the records say about who is linked to a patient, as the access policy needs it. The record
 * store implements it from the resources it keeps (Patient.generalPractitioner and
 * managingOrganization, CareTeam, Consent, PractitionerRole), always from the current committed
 * versions, so that a change takes effect on the very next decision.
 */
public interface RelationshipSource {

  /** How a patient's record is linked to a Practitioner, PractitionerRole or Organization. */
  enum Kind {
    /** Patient.generalPractitioner names the actor. */
    ASSIGNED,
    /**
     * Patient.managingOrganization names the actor: the organization keeps the record, which is a
     * reason for its front desk and billing staff, not for every clinician who works there.
     */
    MANAGED,
    /** An active CareTeam of the patient lists the actor, within its period. */
    CARE_TEAM,
    /** An active Consent of the patient permits the actor. */
    CONSENT_PERMIT,
    /** An active Consent of the patient denies the actor. */
    CONSENT_DENY,
    /**
     * A booked (arrived, checked-in or fulfilled) Appointment of the patient has the actor as a
     * participant, and {@code at} lies within the appointment window around its time.
     */
    APPOINTMENT
  }

  /** One link: its kind and the resource that makes it. */
  record Link(Kind kind, UUID resourceId) {}

  /**
   * The directory ids a practitioner acts as at {@code at}: the Practitioner itself, its active
   * PractitionerRoles and their Organizations.
   */
  Set<UUID> identitiesOf(UUID practitionerId, Instant at);

  /**
   * The links in force at {@code at} between the patient and a practitioner, directly or through
   * one of its active PractitionerRoles or their Organizations: {@link #linksOf(UUID, Set,
   * Instant)} with {@link #identitiesOf}, in one round trip to the database.
   */
  List<Link> linksOfPractitioner(UUID patientId, UUID practitionerId, Instant at);

  /** The links in force at {@code at} between the patient and any of {@code actorIds}. */
  List<Link> linksOf(UUID patientId, Set<UUID> actorIds, Instant at);

  /** Whether a Patient of this id exists and is not deleted. */
  boolean patientExists(UUID patientId);

  /** Every patient linked to any of {@code actorIds} at {@code at}, with the kinds of the links. */
  Map<UUID, Set<Kind>> patientsLinkedTo(Set<UUID> actorIds, Instant at);
}
