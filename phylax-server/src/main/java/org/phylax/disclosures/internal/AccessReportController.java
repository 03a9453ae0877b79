package org.phylax.disclosures.internal;

import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.phylax.audit.AuditAction;
import org.phylax.audit.AuditEvent;
import org.phylax.audit.AuditLog;
import org.phylax.audit.AuditSearch;
import org.phylax.disclosures.AccessEntry;
import org.phylax.disclosures.AccessReports;
import org.phylax.oauth.ApiCaller;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/me/access-report} (docs/access-report.md): the signed-in patient's own report.
 * Only a user token with the role {@code patient} and a {@code patient} claim gets one; anyone else
 * is refused (403), and the refusal is audited. The report's searches of the audit log are audited
 * by the log itself, with the patient as reader.
 */
@RestController
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class AccessReportController {

  static final String ROLE = "patient";
  static final String PURPOSE = "patient-request";

  private final AccessReports reports;
  private final AuditLog audit;

  AccessReportController(AccessReports reports, AuditLog audit) {
    this.reports = reports;
    this.audit = audit;
  }

  @GetMapping(value = "/api/me/access-report", produces = MediaType.APPLICATION_JSON_VALUE)
  Map<String, Object> report(
      @AuthenticationPrincipal Jwt token,
      HttpServletRequest request,
      @RequestParam(required = false) String limit,
      @RequestParam(required = false) String cursor) {
    ApiCaller caller = ApiCaller.of(token, request);
    if (!caller.hasRole(ROLE) || caller.patientId().isEmpty()) {
      audit.record(
          AuditEvent.builder(AuditAction.AUDIT_READ, AuditEvent.Outcome.DENY)
              .actor(caller.actor(), caller.roleKeys(), caller.clientId())
              .source(
                  caller.client().ip(), caller.client().userAgent(), caller.client().requestId())
              .entity("AuditEvent", null, null)
              .reason("access report: only a patient may ask for their own")
              .build());
      throw new Forbidden();
    }
    UUID patient = caller.patientId().get();
    AuditSearch.Reader reader =
        new AuditSearch.Reader(
            caller.actor(),
            caller.roleKeys(),
            caller.clientId(),
            caller.client().ip(),
            caller.client().userAgent(),
            caller.client().requestId(),
            PURPOSE);
    AccessReports.Page page =
        reports.report(patient, caller.accountId().orElseThrow(), limit(limit), cursor, reader);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("entries", page.entries().stream().map(AccessReportController::json).toList());
    page.next().ifPresent(n -> body.put("next", n));
    return body;
  }

  private static int limit(String text) {
    if (text == null) {
      return AccessReports.DEFAULT_PAGE_SIZE;
    }
    try {
      int n = Integer.parseInt(text.strip());
      if (n >= 1 && n <= AccessReports.MAX_PAGE_SIZE) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new IllegalArgumentException(
        "limit must be a whole number between 1 and " + AccessReports.MAX_PAGE_SIZE);
  }

  static Map<String, Object> json(AccessEntry e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("at", e.at().toString());
    e.name().ifPresent(v -> m.put("name", v));
    e.clientId().ifPresent(v -> m.put("client", v));
    m.put("roles", e.roles());
    if (!e.organizations().isEmpty()) {
      m.put("organizations", e.organizations());
    }
    m.put("action", e.action().name());
    e.resourceType().ifPresent(v -> m.put("resourceType", v));
    e.purpose().ifPresent(v -> m.put("purpose", v));
    e.reason().ifPresent(v -> m.put("reason", v));
    e.justification().ifPresent(v -> m.put("justification", v));
    return m;
  }

  /** The caller is not a patient user. */
  static final class Forbidden extends RuntimeException {
    Forbidden() {
      super(null, null, false, false);
    }
  }

  @ExceptionHandler(Forbidden.class)
  ProblemDetail forbidden() {
    ProblemDetail p =
        ProblemDetail.forStatusAndDetail(
            HttpStatus.FORBIDDEN,
            "The access report is for patients, about their own record; this token is not a"
                + " patient's.");
    p.setTitle("Forbidden");
    return p;
  }

  @ExceptionHandler(IllegalArgumentException.class)
  ProblemDetail badRequest(IllegalArgumentException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    p.setTitle("Bad request");
    return p;
  }
}
