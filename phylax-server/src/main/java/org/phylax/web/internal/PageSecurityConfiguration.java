package org.phylax.web.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import org.phylax.audit.AuditUnavailableException;
import org.phylax.identity.Accounts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.authentication.logout.LogoutHandler;
import org.springframework.security.web.csrf.CsrfException;
import org.springframework.session.web.http.SessionRepositoryFilter;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Security of the pages: the sign-in pages and styles are open, every other page needs a signed-in
 * session; forms carry Spring Security's CSRF token; {@code POST /logout} signs out (audited). This
 * chain sits after the authorization server's (orders 1–3) and before the platform's deny-all
 * catch-all. Also registers the two session filters around Spring Session's: {@link
 * ExpiredSessionFilter} before it, {@link SessionGuardFilter} after it and before Spring Security.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class PageSecurityConfiguration {

  private static final Logger log = LoggerFactory.getLogger(PageSecurityConfiguration.class);

  /** No scripts at all; images may be data: URIs (the enrollment QR code). */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'none'; img-src 'self' data:; object-src 'none';"
          + " frame-ancestors 'none'; base-uri 'none'";

  @Bean
  WebSettings webSettings(
      @Value("${phylax.web.idle-timeout:15m}") Duration idleTimeout,
      @Value("${phylax.web.absolute-timeout:12h}") Duration absoluteTimeout,
      @Value("${phylax.web.account-recheck:30s}") Duration accountRecheck) {
    return new WebSettings(idleTimeout, absoluteTimeout, accountRecheck);
  }

  @Bean
  SignInCompletion signInCompletion(ObjectProvider<Clock> clock) {
    return new SignInCompletion(clock.getIfAvailable(Clock::systemUTC));
  }

  @Bean
  ExpiredSessions expiredSessions(
      JdbcTemplate jdbc, TransactionTemplate tx, SessionAudit audit, ObjectProvider<Clock> clock) {
    return new ExpiredSessions(jdbc, tx, audit, clock.getIfAvailable(Clock::systemUTC));
  }

  @Bean
  FilterRegistrationBean<ExpiredSessionFilter> expiredSessionFilter(
      ExpiredSessions sessions,
      @Value("${server.servlet.session.cookie.name:PHYLAX_SESSION}") String cookieName) {
    FilterRegistrationBean<ExpiredSessionFilter> bean =
        new FilterRegistrationBean<>(new ExpiredSessionFilter(cookieName, sessions));
    bean.setOrder(SessionRepositoryFilter.DEFAULT_ORDER - 1);
    bean.addUrlPatterns("/*");
    return bean;
  }

  @Bean
  FilterRegistrationBean<SessionGuardFilter> sessionGuardFilter(
      WebSettings settings, Accounts accounts, SessionAudit audit, ObjectProvider<Clock> clock) {
    FilterRegistrationBean<SessionGuardFilter> bean =
        new FilterRegistrationBean<>(
            new SessionGuardFilter(
                settings, accounts, audit, clock.getIfAvailable(Clock::systemUTC)));
    // After Spring Session (Integer.MIN_VALUE + 50), before Spring Security (-100).
    bean.setOrder(-150);
    bean.addUrlPatterns("/*");
    return bean;
  }

  @Bean
  @Order(10)
  SecurityFilterChain pageSecurity(HttpSecurity http, SessionAudit audit) throws Exception {
    http.securityMatcher(
            "/", "/login", "/login/**", "/logout", "/css/**", "/me/**", "/schedule", "/schedule/**")
        .authorizeHttpRequests(
            a ->
                a.requestMatchers("/login", "/login/**", "/css/**")
                    .permitAll()
                    .anyRequest()
                    .authenticated())
        .csrf(Customizer.withDefaults())
        .formLogin(f -> f.disable())
        .httpBasic(b -> b.disable())
        .exceptionHandling(
            e ->
                e.authenticationEntryPoint(new PageEntryPoint())
                    .accessDeniedHandler(PageSecurityConfiguration::accessDenied))
        .logout(
            l ->
                l.logoutUrl("/logout")
                    .addLogoutHandler(auditSignOut(audit))
                    .logoutSuccessUrl("/login?signed-out"))
        .headers(h -> h.contentSecurityPolicy(c -> c.policyDirectives(CONTENT_SECURITY_POLICY)));
    return http.build();
  }

  /** Audits a sign-out; signing out goes on even when the audit log is down. */
  private static LogoutHandler auditSignOut(SessionAudit audit) {
    return (request, response, authentication) -> {
      if (authentication != null && authentication.getPrincipal() instanceof SignedInUser user) {
        try {
          audit.ended(
              user.getName(), user.roleKeys(), SessionAudit.clientOf(request), "signed out");
        } catch (AuditUnavailableException e) {
          // Staying signed in would be worse than an unrecorded sign-out.
          log.warn("Sign-out of account {} not recorded: audit log unavailable", user.getName());
        }
      }
    };
  }

  /**
   * A form posted on a session that has ended (its CSRF token went with it) goes back to the
   * sign-in page; any other refusal is a plain 403 page.
   */
  private static void accessDenied(
      HttpServletRequest request,
      HttpServletResponse response,
      org.springframework.security.access.AccessDeniedException denied)
      throws IOException {
    if (denied instanceof CsrfException && sessionEnded(request)) {
      response.sendRedirect(request.getContextPath() + "/login?expired");
      return;
    }
    response.setStatus(403);
    response.setContentType("text/html;charset=UTF-8");
    response
        .getWriter()
        .write(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Forbidden"
                + " – Phylax</title><link rel=\"stylesheet\" href=\"/css/phylax.css\"></head>"
                + "<body><main><h1>Forbidden</h1><p>This request was refused. If you were"
                + " submitting a form, go back, reload the page and try again.</p>"
                + "<p><a href=\"/\">Home</a></p></main></body></html>");
  }

  private static boolean sessionEnded(HttpServletRequest request) {
    return request.getAttribute(SessionAttributes.ENDED) != null
        || (request.getRequestedSessionId() != null && !request.isRequestedSessionIdValid());
  }

  /** To {@code /login}, or {@code /login?expired} when the request's session has just ended. */
  private static final class PageEntryPoint extends LoginUrlAuthenticationEntryPoint {
    PageEntryPoint() {
      super("/login");
    }

    @Override
    protected String determineUrlToUseForThisRequest(
        HttpServletRequest request, HttpServletResponse response, AuthenticationException e) {
      return sessionEnded(request) ? "/login?expired" : "/login";
    }
  }
}
