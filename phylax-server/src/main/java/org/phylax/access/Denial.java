package org.phylax.access;

import java.util.Objects;

/**
 * A refused request, with the rule that refused it. The message says which rule and why in terms of
 * roles and relationships; it never holds PHI, so it may be shown to the user and logged.
 */
public final class Denial {

  /** The rule that refused. */
  public enum Rule {
    /** Nothing in the records links the user to the patient. */
    NO_RELATIONSHIP,
    /** An active Consent of the patient denies this user; only break-glass passes it. */
    CONSENT_DENIED,
    /** The user's roles do not allow this action on this type (minimum necessary). */
    ROLE_NOT_PERMITTED,
    /** The account is disabled or locked. */
    ACCOUNT_DISABLED
  }

  private final Rule rule;
  private final String message;

  public Denial(Rule rule, String message) {
    this.rule = Objects.requireNonNull(rule);
    this.message = Objects.requireNonNull(message);
  }

  public Rule rule() {
    return rule;
  }

  public String message() {
    return message;
  }

  @Override
  public String toString() {
    return "Denial[" + rule + ": " + message + "]";
  }
}
