package org.phylax.alerts.internal;

import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.phylax.alerts.Alert;
import org.phylax.alerts.AlertAlreadyAcknowledgedException;
import org.phylax.alerts.AlertNotFoundException;
import org.phylax.alerts.Alerts;
import org.phylax.audit.AuditAction;
import org.phylax.audit.AuditEvent;
import org.phylax.audit.AuditLog;
import org.phylax.oauth.ApiCaller;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * {@code GET /api/alerts} and {@code POST /api/alerts/{id}/acknowledge} (docs/alerts.md), for
 * compliance officers only. Every answer, refusals included, is audited before it is sent: a read
 * of the list as {@code AUDIT_READ} (alerts are a view of the audit trail), an acknowledgement as
 * {@code ADMIN} (it changes the alert's state, not any record).
 */
@RestController
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class AlertsController {

  static final String ROLE = "compliance_officer";

  private final Alerts alerts;
  private final AuditLog audit;
  private final TransactionTemplate tx;

  AlertsController(Alerts alerts, AuditLog audit, TransactionTemplate tx) {
    this.alerts = alerts;
    this.audit = audit;
    this.tx = tx;
  }

  @GetMapping(value = "/api/alerts", produces = MediaType.APPLICATION_JSON_VALUE)
  Map<String, Object> list(
      @AuthenticationPrincipal Jwt token,
      HttpServletRequest request,
      @RequestParam(required = false) String status,
      @RequestParam(required = false) String limit,
      @RequestParam(required = false) String cursor) {
    ApiCaller caller = ApiCaller.of(token, request);
    String asked =
        "alerts list status="
            + (status == null ? "any" : status)
            + " limit="
            + (limit == null ? Alerts.DEFAULT_PAGE_SIZE : limit)
            + (cursor == null ? "" : " cursor=" + cursor);
    requireOfficer(caller, AuditAction.AUDIT_READ, null, asked);
    Alert.Status wanted = status(status);
    int size = limit(limit);
    // Recorded before anything is read: if the audit log cannot take it, nothing is returned.
    record(caller, AuditAction.AUDIT_READ, AuditEvent.Outcome.SUCCESS, null, null, asked);
    Alerts.Page page = alerts.list(wanted, size, cursor);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("alerts", page.alerts().stream().map(AlertsController::json).toList());
    page.next().ifPresent(n -> body.put("next", n));
    return body;
  }

  @PostMapping(value = "/api/alerts/{id}/acknowledge", produces = MediaType.APPLICATION_JSON_VALUE)
  Map<String, Object> acknowledge(
      @AuthenticationPrincipal Jwt token,
      HttpServletRequest request,
      @PathVariable("id") UUID id,
      @RequestBody(required = false) Acknowledgement body) {
    ApiCaller caller = ApiCaller.of(token, request);
    requireOfficer(caller, AuditAction.ADMIN, id, "acknowledge alert");
    String note = body == null ? null : body.note();
    try {
      // The acknowledgement commits only once its audit event is durable.
      Alert done =
          tx.execute(
              s -> {
                Alert a = alerts.acknowledge(id, caller.accountId().orElseThrow(), note);
                record(
                    caller,
                    AuditAction.ADMIN,
                    AuditEvent.Outcome.SUCCESS,
                    id,
                    a.patientId().orElse(null),
                    "alert acknowledged");
                return a;
              });
      return json(done);
    } catch (AlertNotFoundException | AlertAlreadyAcknowledgedException e) {
      record(caller, AuditAction.ADMIN, AuditEvent.Outcome.FAILURE, id, null, e.getMessage());
      throw e;
    }
  }

  /** The body of an acknowledgement. */
  record Acknowledgement(String note) {}

  private void requireOfficer(ApiCaller caller, AuditAction action, UUID alertId, String asked) {
    if (!caller.hasRole(ROLE)) {
      record(
          caller,
          action,
          AuditEvent.Outcome.DENY,
          alertId,
          null,
          asked + ": role " + ROLE + " required");
      throw new Forbidden();
    }
  }

  private void record(
      ApiCaller caller,
      AuditAction action,
      AuditEvent.Outcome outcome,
      UUID alertId,
      UUID patientId,
      String reason) {
    audit.record(
        AuditEvent.builder(action, outcome)
            .actor(caller.actor(), caller.roleKeys(), caller.clientId())
            .source(caller.client().ip(), caller.client().userAgent(), caller.client().requestId())
            .entity("Alert", alertId == null ? null : alertId.toString(), null)
            .patient(patientId)
            .purpose("compliance")
            .reason(reason)
            .build());
  }

  private static Alert.Status status(String text) {
    if (text == null) {
      return null;
    }
    try {
      return Alert.Status.valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("status must be open or acknowledged");
    }
  }

  private static int limit(String text) {
    if (text == null) {
      return Alerts.DEFAULT_PAGE_SIZE;
    }
    try {
      int n = Integer.parseInt(text.strip());
      if (n >= 1 && n <= Alerts.MAX_PAGE_SIZE) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new IllegalArgumentException(
        "limit must be a whole number between 1 and " + Alerts.MAX_PAGE_SIZE);
  }

  static Map<String, Object> json(Alert a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", a.id().toString());
    m.put("createdAt", a.createdAt().toString());
    m.put("severity", a.severity().name());
    m.put("kind", a.kind().name());
    a.accountId().ifPresent(v -> m.put("accountId", v.toString()));
    a.actor().ifPresent(v -> m.put("actor", v));
    m.put("roles", a.roles().stream().sorted().toList());
    a.patientId().ifPresent(v -> m.put("patientId", v.toString()));
    a.resourceType().ifPresent(v -> m.put("resourceType", v));
    a.action().ifPresent(v -> m.put("action", v.name()));
    a.rule().ifPresent(v -> m.put("rule", v.name()));
    a.grantId().ifPresent(v -> m.put("grantId", v.toString()));
    a.grantExpiresAt().ifPresent(v -> m.put("grantExpiresAt", v.toString()));
    if (a.kind() == Alert.Kind.BREAK_GLASS) {
      m.put("overridesConsentDenial", a.overridesConsentDenial());
    }
    a.sourceIp().ifPresent(v -> m.put("sourceIp", v));
    m.put("status", a.status().name());
    a.acknowledgedBy().ifPresent(v -> m.put("acknowledgedBy", v.toString()));
    a.acknowledgedAt().ifPresent(v -> m.put("acknowledgedAt", v.toString()));
    a.note().ifPresent(v -> m.put("note", v));
    return m;
  }

  /** The caller's token lacks the role. */
  static final class Forbidden extends RuntimeException {
    Forbidden() {
      super(null, null, false, false);
    }
  }

  @ExceptionHandler(Forbidden.class)
  ProblemDetail forbidden() {
    return problem(
        HttpStatus.FORBIDDEN, "Forbidden", "Alerts are for users with the role " + ROLE + ".");
  }

  @ExceptionHandler(AlertNotFoundException.class)
  ProblemDetail notFound(AlertNotFoundException e) {
    return problem(HttpStatus.NOT_FOUND, "Not found", e.getMessage());
  }

  @ExceptionHandler(AlertAlreadyAcknowledgedException.class)
  ProblemDetail conflict(AlertAlreadyAcknowledgedException e) {
    return problem(HttpStatus.CONFLICT, "Already acknowledged", e.getMessage());
  }

  @ExceptionHandler(IllegalArgumentException.class)
  ProblemDetail badRequest(IllegalArgumentException e) {
    return problem(HttpStatus.BAD_REQUEST, "Bad request", e.getMessage());
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  ProblemDetail badId(MethodArgumentTypeMismatchException e) {
    return problem(HttpStatus.BAD_REQUEST, "Bad request", "the alert id must be a UUID");
  }

  @ExceptionHandler(HttpMessageNotReadableException.class)
  ProblemDetail badBody(HttpMessageNotReadableException e) {
    return problem(
        HttpStatus.BAD_REQUEST,
        "Bad request",
        "the body must be JSON of the form {\"note\": \"what was done\"}");
  }

  private static ProblemDetail problem(HttpStatus status, String title, String detail) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
    p.setTitle(title);
    return p;
  }
}
