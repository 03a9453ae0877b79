package org.phylax.fhir.internal;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import org.hl7.fhir.r4.model.OperationOutcome;

/** OperationOutcomes for errors, and the HTTP statuses HAPI has no exception class for. */
final class Outcomes {

  private Outcomes() {}

  static OperationOutcome of(OperationOutcome.IssueType code, String diagnostics) {
    OperationOutcome outcome = new OperationOutcome();
    outcome
        .addIssue()
        .setSeverity(OperationOutcome.IssueSeverity.ERROR)
        .setCode(code)
        .setDiagnostics(diagnostics);
    return outcome;
  }

  /** An error with its status, diagnostics and issue code. */
  static final class Failure extends BaseServerResponseException {
    private static final long serialVersionUID = 1L;

    Failure(int status, OperationOutcome.IssueType code, String diagnostics) {
      super(status, diagnostics, of(code, diagnostics));
    }
  }
}
