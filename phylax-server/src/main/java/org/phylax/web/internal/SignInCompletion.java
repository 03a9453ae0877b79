package org.phylax.web.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import org.phylax.identity.Account;
import org.phylax.identity.Role;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.csrf.CsrfAuthenticationStrategy;
import org.springframework.security.web.csrf.HttpSessionCsrfTokenRepository;
import org.springframework.security.web.savedrequest.HttpSessionRequestCache;
import org.springframework.security.web.savedrequest.RequestCache;
import org.springframework.security.web.savedrequest.SavedRequest;

/**
 * Turns an answer of {@code SIGNED_IN} into a signed-in session: a new session id (against session
 * fixation), a new CSRF token, the security context saved in the session, and the times the session
 * guard needs (sign-in for the absolute lifetime, the last account check).
 */
final class SignInCompletion {

  private final SecurityContextHolderStrategy holder =
      SecurityContextHolder.getContextHolderStrategy();
  private final SecurityContextRepository contexts = new HttpSessionSecurityContextRepository();
  private final CsrfAuthenticationStrategy csrf =
      new CsrfAuthenticationStrategy(new HttpSessionCsrfTokenRepository());
  private final RequestCache savedRequests = new HttpSessionRequestCache();
  private final Clock clock;

  SignInCompletion(Clock clock) {
    this.clock = clock;
  }

  /** Signs {@code account} in on this request's session. */
  void complete(Account account, HttpServletRequest request, HttpServletResponse response) {
    HttpSession session = request.getSession();
    session.removeAttribute(SessionAttributes.CHALLENGE);
    session.removeAttribute(SessionAttributes.CHALLENGE_KIND);
    request.changeSessionId();

    List<String> roles = account.roles().stream().map(Role::key).sorted().toList();
    SignedInUser user = new SignedInUser(account.id(), account.username(), roles);
    Authentication authentication =
        UsernamePasswordAuthenticationToken.authenticated(
            user,
            null,
            roles.stream()
                .map(r -> new SimpleGrantedAuthority("ROLE_" + r.toUpperCase(Locale.ROOT)))
                .toList());
    SecurityContext context = holder.createEmptyContext();
    context.setAuthentication(authentication);
    holder.setContext(context);
    contexts.saveContext(context, request, response);
    csrf.onAuthentication(authentication, request, response);

    long now = clock.millis();
    session = request.getSession();
    session.setAttribute(SessionAttributes.ACCOUNT, account.id().toString());
    session.setAttribute(SessionAttributes.ROLES, user.roleKeys());
    session.setAttribute(SessionAttributes.SIGNED_IN_AT, now);
    session.setAttribute(SessionAttributes.CHECKED_AT, now);
  }

  /** Keeps a pending second step in the session, under a new session id. */
  void challenge(String challenge, String kind, HttpServletRequest request) {
    HttpSession session = request.getSession();
    request.changeSessionId();
    session = request.getSession();
    session.setAttribute(SessionAttributes.CHALLENGE, challenge);
    session.setAttribute(SessionAttributes.CHALLENGE_KIND, kind);
  }

  /** Where to go once signed in: the page first asked for, or the home page. */
  String target(HttpServletRequest request, HttpServletResponse response) {
    SavedRequest saved = savedRequests.getRequest(request, response);
    return saved == null ? "/" : saved.getRedirectUrl();
  }
}
