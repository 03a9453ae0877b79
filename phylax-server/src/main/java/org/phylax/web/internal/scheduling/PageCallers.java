package org.phylax.web.internal.scheduling;

import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.util.UUID;
import org.phylax.access.Subject;
import org.phylax.identity.Accounts;
import org.phylax.identity.ClientInfo;
import org.phylax.platform.RequestLog;
import org.slf4j.MDC;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;

/**
 * The signed-in user of a page request as the access gate needs them: the account read fresh (so a
 * role or link changed since sign-in counts now) and where the request came from, for the audit
 * event.
 */
@Component
class PageCallers {

  private static final int MAX_USER_AGENT = 512;

  private final Accounts accounts;
  private final Clock clock;

  PageCallers(Accounts accounts, ObjectProvider<Clock> clock) {
    this.accounts = accounts;
    this.clock = clock.getIfAvailable(Clock::systemUTC);
  }

  SchedulingDesk.Caller of(Authentication authentication, HttpServletRequest request) {
    UUID id;
    try {
      id = UUID.fromString(authentication.getName());
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new PageProblem(403, "Sign in again to use this page.");
    }
    Subject subject =
        accounts
            .findById(id)
            .map(a -> Subject.user(a, clock.instant()))
            .orElseThrow(() -> new PageProblem(403, "Sign in again to use this page."));
    String agent = request.getHeader("User-Agent");
    if (agent != null && agent.length() > MAX_USER_AGENT) {
      agent = agent.substring(0, MAX_USER_AGENT);
    }
    return new SchedulingDesk.Caller(
        subject,
        new ClientInfo(request.getRemoteAddr(), agent, MDC.get(RequestLog.REQUEST_ID_MDC_KEY)));
  }
}
