package org.phylax.web.internal.scheduling;

import jakarta.servlet.http.HttpServletResponse;
import org.phylax.access.AccessDeniedException;
import org.phylax.audit.AuditUnavailableException;
import org.phylax.records.NotPermittedException;
import org.phylax.records.RecordDeletedException;
import org.phylax.records.RecordNotFoundException;
import org.phylax.records.SchedulingConflictException;
import org.phylax.records.VersionConflictException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.ui.Model;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * Errors of the scheduling pages as a page with a clear message and a way back, never a stack
 * trace; logged by class and request only (an exception's message may name a resource, never a
 * value, but the log stays without it all the same).
 */
@ControllerAdvice(basePackageClasses = SchedulingPageErrors.class)
class SchedulingPageErrors {

  static final String FORBIDDEN =
      "You may not see or change this. The attempt has been recorded; if you need access, ask your"
          + " administrator.";
  static final String TAKEN = "That time was just taken; pick another.";
  static final String CHANGED =
      "Someone changed this appointment at the same time. Reload the page and try again.";

  private static final Logger log = LoggerFactory.getLogger(SchedulingPageErrors.class);

  @ExceptionHandler(PageProblem.class)
  String problem(PageProblem e, Model model, HttpServletResponse response) {
    return page(e.status(), "Not possible", e.getMessage(), model, response);
  }

  @ExceptionHandler({AccessDeniedException.class, NotPermittedException.class})
  String forbidden(RuntimeException e, Model model, HttpServletResponse response) {
    return page(403, "Not allowed", FORBIDDEN, model, response);
  }

  @ExceptionHandler(SchedulingConflictException.class)
  String taken(SchedulingConflictException e, Model model, HttpServletResponse response) {
    return page(409, "Already taken", TAKEN, model, response);
  }

  @ExceptionHandler(VersionConflictException.class)
  String changed(VersionConflictException e, Model model, HttpServletResponse response) {
    return page(409, "Changed meanwhile", CHANGED, model, response);
  }

  @ExceptionHandler({
    RecordNotFoundException.class,
    RecordDeletedException.class,
    MethodArgumentTypeMismatchException.class
  })
  String notFound(Exception e, Model model, HttpServletResponse response) {
    return page(
        404, "Not found", "There is no such appointment, schedule or slot.", model, response);
  }

  @ExceptionHandler(MissingServletRequestParameterException.class)
  String missing(Exception e, Model model, HttpServletResponse response) {
    return page(
        400,
        "Something is missing",
        "The form was incomplete. Go back and try again.",
        model,
        response);
  }

  @ExceptionHandler(AuditUnavailableException.class)
  String auditDown(AuditUnavailableException e, Model model, HttpServletResponse response) {
    return page(
        503,
        "Not available right now",
        "The audit log cannot record this request right now, so it was not carried out. Try again"
            + " in a few minutes.",
        model,
        response);
  }

  @ExceptionHandler(Exception.class)
  String unexpected(Exception e, Model model, HttpServletResponse response) {
    log.error("Scheduling page failed: {}", e.getClass().getName());
    return page(
        500,
        "Something went wrong",
        "The request could not be carried out. Try again; if it keeps failing, tell your"
            + " administrator.",
        model,
        response);
  }

  private static String page(
      int status, String title, String message, Model model, HttpServletResponse response) {
    response.setStatus(status);
    model.addAttribute("title", title);
    model.addAttribute("message", message);
    return "scheduling-problem";
  }
}
