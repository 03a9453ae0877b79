package org.phylax.web.internal;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.phylax.audit.AuditUnavailableException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Runs before Spring Session looks a session up: when the request's session cookie names a
 * signed-in session whose idle timeout has passed, ends and audits it ({@link ExpiredSessions})
 * rather than letting Spring Session drop it silently. The request then goes on without a session.
 */
final class ExpiredSessionFilter extends OncePerRequestFilter {

  private final String cookieName;
  private final ExpiredSessions sessions;

  ExpiredSessionFilter(String cookieName, ExpiredSessions sessions) {
    this.cookieName = cookieName;
    this.sessions = sessions;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String sessionId = sessionId(request);
    if (sessionId != null) {
      try {
        if (sessions.endIfExpired(sessionId, SessionAudit.clientOf(request))) {
          request.setAttribute(SessionAttributes.ENDED, "idle timeout");
        }
      } catch (AuditUnavailableException e) {
        ProblemResponses.auditUnavailable(response);
        return;
      }
    }
    chain.doFilter(request, response);
  }

  /** The session id in the cookie (Spring Session writes it base64-encoded); null if none. */
  private String sessionId(HttpServletRequest request) {
    Cookie[] cookies = request.getCookies();
    if (cookies == null) {
      return null;
    }
    for (Cookie cookie : cookies) {
      if (cookieName.equals(cookie.getName()) && cookie.getValue().length() <= 64) {
        try {
          String id =
              new String(Base64.getDecoder().decode(cookie.getValue()), StandardCharsets.UTF_8);
          return id.length() == 36 ? id : null;
        } catch (IllegalArgumentException e) {
          return null;
        }
      }
    }
    return null;
  }
}
