package org.phylax.web.internal;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import org.phylax.audit.AuditUnavailableException;
import org.phylax.identity.Account;
import org.phylax.identity.AccountStatus;
import org.phylax.identity.Accounts;
import org.phylax.platform.RequestLog;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Ends a signed-in session that has outlived its absolute lifetime, or whose account is no longer
 * active: each session re-reads its account's status at most every {@link
 * WebSettings#accountRecheck()}, so a disabled or locked account loses every session within that
 * time. The end is audited, the session invalidated, and the request goes on unauthenticated (so a
 * page redirects to {@code /login?expired}). Runs after Spring Session has loaded the session and
 * before Spring Security reads it, for every path that may carry the session cookie, the
 * authorization server's included.
 */
final class SessionGuardFilter extends OncePerRequestFilter {

  private final WebSettings settings;
  private final Accounts accounts;
  private final SessionAudit audit;
  private final Clock clock;

  SessionGuardFilter(WebSettings settings, Accounts accounts, SessionAudit audit, Clock clock) {
    this.settings = settings;
    this.accounts = accounts;
    this.audit = audit;
    this.clock = clock;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    HttpSession session =
        request.getRequestedSessionId() == null ? null : request.getSession(false);
    if (session != null
        && session.getAttribute(SessionAttributes.ACCOUNT) instanceof String account) {
      String reason = reasonToEnd(session, account);
      if (reason != null) {
        try {
          audit.ended(
              account,
              (String) session.getAttribute(SessionAttributes.ROLES),
              SessionAudit.clientOf(request),
              "session ended: " + reason);
        } catch (AuditUnavailableException e) {
          // Fail closed: nothing is served on a session whose end cannot be recorded.
          ProblemResponses.auditUnavailable(response);
          return;
        }
        session.invalidate();
        request.setAttribute(SessionAttributes.ENDED, reason);
      } else {
        request.setAttribute(RequestLog.USER_ID_ATTRIBUTE, account);
      }
    }
    chain.doFilter(request, response);
  }

  /** Why the session must end now, or null while it may go on. */
  private String reasonToEnd(HttpSession session, String account) {
    long now = clock.millis();
    Object signedInAt = session.getAttribute(SessionAttributes.SIGNED_IN_AT);
    if (!(signedInAt instanceof Long at) || now - at >= settings.absoluteTimeout().toMillis()) {
      return "absolute lifetime of " + Durations.text(settings.absoluteTimeout()) + " reached";
    }
    Object checkedAt = session.getAttribute(SessionAttributes.CHECKED_AT);
    if (checkedAt instanceof Long last && now - last < settings.accountRecheck().toMillis()) {
      return null;
    }
    Optional<AccountStatus> status;
    try {
      status = accounts.findById(UUID.fromString(account)).map(Account::status);
    } catch (IllegalArgumentException e) {
      status = Optional.empty();
    }
    if (status.isEmpty()) {
      return "account not found";
    }
    return switch (status.get()) {
      case ACTIVE -> {
        session.setAttribute(SessionAttributes.CHECKED_AT, now);
        yield null;
      }
      case DISABLED -> "account disabled";
      case LOCKED -> "account locked";
    };
  }
}
