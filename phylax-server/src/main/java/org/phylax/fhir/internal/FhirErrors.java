package org.phylax.fhir.internal;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.phylax.access.AccessDeniedException;
import org.phylax.audit.AuditUnavailableException;
import org.phylax.records.NotPermittedException;
import org.phylax.records.RecordDeletedException;
import org.phylax.records.RecordIntegrityException;
import org.phylax.records.RecordNotFoundException;
import org.phylax.records.SchedulingConflictException;
import org.phylax.records.VersionConflictException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns whatever a provider threw into an OperationOutcome with the right status. Phylax's own
 * exceptions carry ids, rules and element names only, so their messages are shown; anything else
 * that is not one of HAPI's answers becomes a 500 without its message (a library's message may
 * quote input) and without a stack trace, and is logged by class name only.
 */
final class FhirErrors {

  private static final Logger log = LoggerFactory.getLogger(FhirErrors.class);

  @Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
  public BaseServerResponseException translate(Throwable thrown) {
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      BaseServerResponseException translated = translateOne(t);
      if (translated != null) {
        return translated;
      }
    }
    if (thrown instanceof BaseServerResponseException hapi
        && !(thrown instanceof InternalErrorException)) {
      return hapi; // HAPI's own answers (unknown type, method not allowed …) and ours
    }
    log.warn("FHIR request failed: {}", classes(thrown));
    return new Outcomes.Failure(
        500,
        IssueType.EXCEPTION,
        "The server could not complete the request; the request id in X-Request-Id finds it in the"
            + " log.");
  }

  private static BaseServerResponseException translateOne(Throwable t) {
    if (t instanceof AccessDeniedException denied) {
      return new Outcomes.Failure(
          403,
          IssueType.FORBIDDEN,
          "Access denied ("
              + denied.denial().rule()
              + "): "
              + denied.denial().message()
              + ". The attempt was recorded.");
    }
    if (t instanceof DataFormatException
        || (t instanceof InvalidRequestException
            && String.valueOf(t.getMessage()).startsWith("HAPI-0450"))) {
      // HAPI parses a body before the provider sees it; its messages quote the offending text.
      return new Outcomes.Failure(
          400, IssueType.STRUCTURE, ResourceBodies.describe(t.getMessage()));
    }
    if (t instanceof RecordNotFoundException) {
      return new Outcomes.Failure(404, IssueType.NOTFOUND, t.getMessage());
    }
    if (t instanceof RecordDeletedException) {
      return new Outcomes.Failure(410, IssueType.DELETED, t.getMessage());
    }
    if (t instanceof VersionConflictException) {
      return new Outcomes.Failure(409, IssueType.CONFLICT, t.getMessage());
    }
    if (t instanceof SchedulingConflictException) {
      return new Outcomes.Failure(409, IssueType.CONFLICT, t.getMessage());
    }
    if (t instanceof NotPermittedException) {
      return new Outcomes.Failure(
          422,
          IssueType.PROCESSING,
          "The resource names a patient other than the one this request was permitted for; a"
              + " resource cannot be moved to another patient.");
    }
    if (t instanceof AuditUnavailableException) {
      return new Outcomes.Failure(
          503,
          IssueType.TRANSIENT,
          "The audit log cannot record this request, so nothing was done; try again later.");
    }
    if (t instanceof RecordIntegrityException) {
      log.error("FHIR request hit a record that failed its integrity check: {}", t.getMessage());
      return new Outcomes.Failure(500, IssueType.EXCEPTION, t.getMessage());
    }
    if (t instanceof IllegalArgumentException && thrownByPhylax(t)) {
      // The record store refuses what it does not keep; its messages name the element only.
      return new Outcomes.Failure(422, IssueType.PROCESSING, t.getMessage());
    }
    return null;
  }

  private static boolean thrownByPhylax(Throwable t) {
    StackTraceElement[] trace = t.getStackTrace();
    return trace.length > 0 && trace[0].getClassName().startsWith("org.phylax.");
  }

  private static String classes(Throwable thrown) {
    List<String> names = new ArrayList<>();
    for (Throwable t = thrown; t != null && names.size() < 8; t = t.getCause()) {
      names.add(t.getClass().getName());
    }
    return String.join(" <- ", names);
  }
}
