package org.phylax.access;

import java.util.Optional;

/**
 * The outcome of {@link AccessPolicy#decide}: a {@link Permit} with the reason that allowed the
 * request, or a {@link Denial} with the rule that refused it. Exactly one is present.
 */
public final class Decision {

  private final Permit permit;
  private final Denial denial;
  private final boolean overridesConsentDenial;

  private Decision(Permit permit, Denial denial, boolean overridesConsentDenial) {
    this.permit = permit;
    this.denial = denial;
    this.overridesConsentDenial = overridesConsentDenial;
  }

  static Decision permit(Permit permit) {
    return new Decision(permit, null, false);
  }

  static Decision breakGlass(Permit permit, boolean overridesConsentDenial) {
    return new Decision(permit, null, overridesConsentDenial);
  }

  public static Decision deny(Denial.Rule rule, String message) {
    return new Decision(null, new Denial(rule, message), false);
  }

  public boolean isPermitted() {
    return permit != null;
  }

  public Optional<Permit> permit() {
    return Optional.ofNullable(permit);
  }

  public Optional<Denial> denial() {
    return Optional.ofNullable(denial);
  }

  /** For a break-glass permit: whether an active Consent of the patient denied this user. */
  public boolean overridesConsentDenial() {
    return overridesConsentDenial;
  }

  /** The permit's reason or the denial's rule, by name: what the audit log records. */
  public String outcome() {
    return permit != null ? permit.reason().name() : denial.rule().name();
  }

  @Override
  public String toString() {
    return permit != null ? "Decision[" + permit + "]" : "Decision[" + denial + "]";
  }
}
