package org.phylax.web.internal;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Answers written by filters, before any framework could. */
final class ProblemResponses {

  private ProblemResponses() {}

  /** 503: the audit log cannot take the event that must come first, so nothing is done. */
  static void auditUnavailable(HttpServletResponse response) throws IOException {
    response.setStatus(503);
    response.setContentType("application/problem+json");
    response.setCharacterEncoding("UTF-8");
    response
        .getWriter()
        .write(
            "{\"type\":\"about:blank\",\"title\":\"Audit log unavailable\",\"status\":503,"
                + "\"detail\":\"The audit log cannot record this request right now, so it was not"
                + " carried out.\"}");
  }
}
