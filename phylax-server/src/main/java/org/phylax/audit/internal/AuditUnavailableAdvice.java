package org.phylax.audit.internal;

import org.phylax.audit.AuditUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Fail closed: a request whose audit event could not be made durable is answered 503 with a problem
 * document, and whatever it would have returned is not.
 */
@RestControllerAdvice
@ConditionalOnWebApplication
class AuditUnavailableAdvice {

  private static final Logger log = LoggerFactory.getLogger(AuditUnavailableAdvice.class);

  @ExceptionHandler(AuditUnavailableException.class)
  ProblemDetail auditUnavailable(AuditUnavailableException e) {
    log.error("Request refused: {}", e.getMessage());
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(
            HttpStatus.SERVICE_UNAVAILABLE,
            "The audit log cannot record this request right now, so it was not carried out.");
    problem.setTitle("Audit log unavailable");
    return problem;
  }
}
