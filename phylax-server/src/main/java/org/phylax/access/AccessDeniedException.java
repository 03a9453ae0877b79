package org.phylax.access;

/**
 * Thrown by {@link AccessGate} when the policy refused a request, after the refusal was audited and
 * published. The message is the denial's, which holds no PHI.
 */
public class AccessDeniedException extends RuntimeException {

  private final transient Denial denial;

  public AccessDeniedException(Denial denial) {
    super(denial.rule() + ": " + denial.message());
    this.denial = denial;
  }

  public Denial denial() {
    return denial;
  }
}
