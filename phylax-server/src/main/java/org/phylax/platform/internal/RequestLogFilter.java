package org.phylax.platform.internal;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.UUID;
import java.util.regex.Pattern;
import org.phylax.platform.RequestLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Writes the request log line (see {@link RequestLog}) and gives every request an id that is echoed
 * in the response and present on all its log lines. Runs outside Spring Security so that refused
 * requests are logged too. Logs no body, no query string, no header values.
 */
final class RequestLogFilter extends OncePerRequestFilter {

  private static final Logger log = LoggerFactory.getLogger("org.phylax.request");
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._-]{8,64}");

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String offered = request.getHeader(RequestLog.REQUEST_ID_HEADER);
    String requestId =
        offered != null && SAFE_ID.matcher(offered).matches()
            ? offered
            : UUID.randomUUID().toString();
    response.setHeader(RequestLog.REQUEST_ID_HEADER, requestId);
    long start = System.nanoTime();
    MDC.put(RequestLog.REQUEST_ID_MDC_KEY, requestId);
    try {
      chain.doFilter(request, response);
    } finally {
      long millis = (System.nanoTime() - start) / 1_000_000;
      Object user = request.getAttribute(RequestLog.USER_ID_ATTRIBUTE);
      String userId = user == null ? "-" : user.toString();
      String path = request.getRequestURI(); // the path only: query strings may carry PHI
      log.atInfo()
          .addKeyValue("method", request.getMethod())
          .addKeyValue("path", path)
          .addKeyValue("status", response.getStatus())
          .addKeyValue("latencyMs", millis)
          .addKeyValue("userId", userId)
          .log(
              "request id={} method={} path={} status={} latency_ms={} user={}",
              requestId,
              request.getMethod(),
              path,
              response.getStatus(),
              millis,
              userId);
      MDC.remove(RequestLog.REQUEST_ID_MDC_KEY);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  static class Registration {
    @Bean
    FilterRegistrationBean<RequestLogFilter> requestLogFilter() {
      FilterRegistrationBean<RequestLogFilter> bean =
          new FilterRegistrationBean<>(new RequestLogFilter());
      bean.setOrder(Ordered.HIGHEST_PRECEDENCE);
      bean.addUrlPatterns("/*");
      return bean;
    }
  }
}
