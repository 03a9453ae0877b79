package org.phylax.access.internal;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.phylax.access.AccessDeniedException;
import org.phylax.access.BreakGlass;
import org.phylax.access.Subject;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/access/break-glass}: open an emergency grant; the compliance officers' review queue
 * and their verdicts. Errors are {@code application/problem+json} naming what was wrong.
 */
@RestController
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class BreakGlassController {

  private final BreakGlass breakGlass;
  private final ApiCallers callers;

  BreakGlassController(BreakGlass breakGlass, ApiCallers callers) {
    this.breakGlass = breakGlass;
    this.callers = callers;
  }

  /** The body of a request to open a grant. */
  record OpenRequest(String patient, String reason) {}

  /** The body of a review. */
  record ReviewRequest(String verdict, String note) {}

  @PostMapping(
      value = "/api/access/break-glass",
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<?> open(
      @AuthenticationPrincipal Jwt token,
      @RequestBody(required = false) OpenRequest body,
      HttpServletRequest request) {
    Subject subject = subject(token);
    if (body == null || body.patient() == null) {
      throw new BadInput("patient: required, as \"Patient/<id>\"");
    }
    UUID patient = patientId(body.patient());
    BreakGlass.Grant grant =
        breakGlass.open(subject, patient, body.reason(), ApiCallers.client(request));
    return ResponseEntity.created(URI.create("/api/access/break-glass/" + grant.id()))
        .contentType(MediaType.APPLICATION_JSON)
        .body(
            Map.of(
                "id", grant.id().toString(),
                "patient", "Patient/" + grant.patientId(),
                "createdAt", grant.createdAt().toString(),
                "expiresAt", grant.expiresAt().toString(),
                "overridesConsentDenial", grant.overridesConsentDenial()));
  }

  @GetMapping(
      value = "/api/access/break-glass/reviews",
      produces = MediaType.APPLICATION_JSON_VALUE)
  Map<String, Object> reviews(
      @AuthenticationPrincipal Jwt token,
      @RequestParam(defaultValue = "pending") String status,
      @RequestParam(defaultValue = "50") int limit,
      HttpServletRequest request) {
    boolean pending =
        switch (status) {
          case "pending" -> true;
          case "all" -> false;
          default -> throw new BadInput("status: pending or all");
        };
    if (limit < 1 || limit > 500) {
      throw new BadInput("limit: between 1 and 500");
    }
    List<BreakGlass.Grant> grants =
        breakGlass.reviews(
            pending, limit, new BreakGlass.Reader(subject(token), ApiCallers.client(request)));
    return Map.of("reviews", grants.stream().map(BreakGlassController::json).toList());
  }

  @PostMapping(
      value = "/api/access/break-glass/{id}/review",
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  Map<String, Object> review(
      @AuthenticationPrincipal Jwt token,
      @PathVariable String id,
      @RequestBody(required = false) ReviewRequest body,
      HttpServletRequest request) {
    Subject subject = subject(token);
    UUID grant = uuid(id, "id");
    if (body == null || body.verdict() == null) {
      throw new BadInput("verdict: appropriate or inappropriate");
    }
    BreakGlass.Verdict verdict;
    try {
      verdict = BreakGlass.Verdict.valueOf(body.verdict().strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new BadInput("verdict: appropriate or inappropriate");
    }
    return json(
        breakGlass.review(grant, verdict, body.note(), subject, ApiCallers.client(request)));
  }

  private Subject subject(Jwt token) {
    return callers
        .subject(token)
        .orElseThrow(() -> new Refused("the token names no existing account"));
  }

  private static Map<String, Object> json(BreakGlass.Grant g) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", g.id().toString());
    out.put("account", g.accountId().toString());
    out.put("patient", "Patient/" + g.patientId());
    out.put("reason", g.reason());
    out.put("createdAt", g.createdAt().toString());
    out.put("expiresAt", g.expiresAt().toString());
    out.put("overridesConsentDenial", g.overridesConsentDenial());
    out.put("verdict", g.verdict().map(v -> v.name().toLowerCase(Locale.ROOT)).orElse(null));
    out.put("note", g.note().orElse(null));
    out.put("reviewedBy", g.reviewedBy().map(UUID::toString).orElse(null));
    out.put("reviewedAt", g.reviewedAt().map(Object::toString).orElse(null));
    return out;
  }

  private static UUID patientId(String reference) {
    if (!reference.startsWith("Patient/")) {
      throw new BadInput("patient: a reference \"Patient/<id>\"");
    }
    return uuid(reference.substring("Patient/".length()), "patient");
  }

  private static UUID uuid(String text, String field) {
    try {
      if (text.length() != 36) {
        throw new IllegalArgumentException();
      }
      return UUID.fromString(text);
    } catch (IllegalArgumentException e) {
      throw new BadInput(field + ": not a Phylax id");
    }
  }

  @ExceptionHandler(BadInput.class)
  ResponseEntity<ProblemDetail> badInput(BadInput e) {
    return problem(HttpStatus.BAD_REQUEST, "Bad request", e.getMessage());
  }

  @ExceptionHandler(HttpMessageNotReadableException.class)
  ResponseEntity<ProblemDetail> unreadable(HttpMessageNotReadableException e) {
    return problem(HttpStatus.BAD_REQUEST, "Bad request", "the body is not the JSON expected");
  }

  @ExceptionHandler(IllegalArgumentException.class)
  ResponseEntity<ProblemDetail> invalid(IllegalArgumentException e) {
    HttpStatus status =
        e.getMessage() != null && e.getMessage().startsWith("grant: there is no such")
            ? HttpStatus.NOT_FOUND
            : HttpStatus.BAD_REQUEST;
    return problem(
        status, status == HttpStatus.NOT_FOUND ? "Not found" : "Bad request", e.getMessage());
  }

  @ExceptionHandler(IllegalStateException.class)
  ResponseEntity<ProblemDetail> conflict(IllegalStateException e) {
    return problem(HttpStatus.CONFLICT, "Conflict", e.getMessage());
  }

  @ExceptionHandler(AccessDeniedException.class)
  ResponseEntity<ProblemDetail> denied(AccessDeniedException e) {
    ResponseEntity<ProblemDetail> r =
        problem(HttpStatus.FORBIDDEN, "Forbidden", e.denial().message());
    r.getBody().setProperty("rule", e.denial().rule().name());
    return r;
  }

  @ExceptionHandler(Refused.class)
  ResponseEntity<ProblemDetail> refused(Refused e) {
    return problem(HttpStatus.FORBIDDEN, "Forbidden", e.getMessage());
  }

  private static ResponseEntity<ProblemDetail> problem(
      HttpStatus status, String title, String detail) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
    p.setTitle(title);
    return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(p);
  }

  private static final class BadInput extends RuntimeException {
    BadInput(String message) {
      super(message);
    }
  }

  private static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message);
    }
  }
}
