package org.phylax.access;

import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Proof that an action on PHI was allowed, with the reason that allowed it. The record store's
 * methods that read or write PHI take one, and only the access module can make one (the constructor
 * is private to this package), so no code path reaches PHI without a decision.
 *
 * <p>A permit covers one patient (a decision about that patient), a set of patients (a search,
 * limited to the patients the caller may see), or every patient (Phylax's own maintenance and
 * backend services with system scopes). Directory resources (Practitioner, Organization …) belong
 * to no patient and are covered by every permit; who may write them is the access policy's
 * business.
 */
public final class Permit {

  /** Why the action is allowed. */
  public enum Reason {
    SELF,
    ASSIGNED,
    CARE_TEAM,
    CONSENT,
    APPOINTMENT,
    BREAK_GLASS,
    SERVICE,
    /**
     * A resource that belongs to no patient (the directory: Practitioner, Organization …; the
     * medication catalog, schedules and slots, devices in stock). Such a permit covers no patient.
     */
    DIRECTORY,
    /**
     * Registering a new patient: creating a Patient, whose id does not exist until the store makes
     * it, so the permit cannot name it. It covers every patient; use it for that one create only.
     */
    REGISTRATION,
    SYSTEM
  }

  private final String actor;
  private final Reason reason;
  private final String purpose;
  private final Set<UUID> patients;

  Permit(String actor, Reason reason, String purpose, UUID patient) {
    this(actor, reason, purpose, Set.of(requirePatient(patient)));
  }

  /** {@code patients} null: every patient. */
  Permit(String actor, Reason reason, String purpose, Set<UUID> patients) {
    if (actor == null || actor.isBlank() || reason == null || purpose == null) {
      throw new IllegalArgumentException("a permit names its actor, reason and purpose");
    }
    this.actor = actor;
    this.reason = reason;
    this.purpose = purpose;
    this.patients = patients == null ? null : Set.copyOf(patients);
  }

  private static UUID requirePatient(UUID patient) {
    if (patient == null) {
      throw new IllegalArgumentException("a permit for one patient names the patient");
    }
    return patient;
  }

  /** Who acts: a user id, a client id, or {@code system:<task>}. */
  public String actor() {
    return actor;
  }

  /**
   * Why: for a permit of one patient the reason of that decision; for a search permit over several
   * patients the reason of the first decision (the access gate records each patient's own reason).
   */
  public Reason reason() {
    return reason;
  }

  public String purpose() {
    return purpose;
  }

  /** The one patient this permit covers, if it covers exactly one. */
  public Optional<UUID> patient() {
    return patients != null && patients.size() == 1
        ? Optional.of(patients.iterator().next())
        : Optional.empty();
  }

  /** The patients this permit covers, or empty when it covers every patient. */
  public Optional<Set<UUID>> patients() {
    return Optional.ofNullable(patients);
  }

  /**
   * Whether this permit covers a resource of {@code patientId}; null means a directory resource,
   * which belongs to no patient and is covered by every permit.
   */
  public boolean covers(UUID patientId) {
    return patientId == null || patients == null || patients.contains(patientId);
  }

  @Override
  public String toString() {
    return "Permit[actor=" + actor + ", reason=" + reason + ", purpose=" + purpose + "]";
  }
}
