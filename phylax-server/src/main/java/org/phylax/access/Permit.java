package org.phylax.access;

import java.util.Optional;
import java.util.UUID;

/**
 * Proof that an action on PHI was allowed, with the reason that allowed it. The record store's
 * methods that read or write PHI take one, and only the access module can make one (the constructor
 * is private to this package), so no code path reaches PHI without a decision.
 *
 * <p>Until the access policy lands (relationship, consent, break-glass), the only permits are the
 * {@link Reason#SYSTEM} permits of {@link SystemAccess} for Phylax's own maintenance work.
 */
public final class Permit {

  /** Why the action is allowed. */
  public enum Reason {
    SELF,
    ASSIGNED,
    CARE_TEAM,
    CONSENT,
    BREAK_GLASS,
    SERVICE,
    SYSTEM
  }

  private final String actor;
  private final Reason reason;
  private final String purpose;
  private final UUID patient;

  Permit(String actor, Reason reason, String purpose, UUID patient) {
    if (actor == null || actor.isBlank() || reason == null || purpose == null) {
      throw new IllegalArgumentException("a permit names its actor, reason and purpose");
    }
    this.actor = actor;
    this.reason = reason;
    this.purpose = purpose;
    this.patient = patient;
  }

  /** Who acts: a user id, a client id, or {@code system:<task>}. */
  public String actor() {
    return actor;
  }

  public Reason reason() {
    return reason;
  }

  public String purpose() {
    return purpose;
  }

  /** The one patient this permit covers, or empty when it covers every patient (system work). */
  public Optional<UUID> patient() {
    return Optional.ofNullable(patient);
  }

  /** Whether this permit covers the record of {@code patientId} (null: not about one patient). */
  public boolean covers(UUID patientId) {
    return patient == null || patient.equals(patientId);
  }

  @Override
  public String toString() {
    return "Permit[actor=" + actor + ", reason=" + reason + ", purpose=" + purpose + "]";
  }
}
