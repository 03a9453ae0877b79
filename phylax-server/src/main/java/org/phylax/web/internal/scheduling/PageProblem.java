package org.phylax.web.internal.scheduling;

/**
 * A request a scheduling page cannot carry out, with the HTTP status and a message for the person
 * at the browser (never PHI beyond what they already see, never a stack trace).
 */
final class PageProblem extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;

  PageProblem(int status, String message) {
    super(message);
    this.status = status;
  }

  int status() {
    return status;
  }
}
