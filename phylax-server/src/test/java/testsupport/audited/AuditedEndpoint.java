package testsupport.audited;

import java.util.Map;
import java.util.UUID;
import org.phylax.audit.AuditAction;
import org.phylax.audit.AuditEvent;
import org.phylax.audit.AuditLog;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A stand-in for a PHI endpoint, for tests only: records its audit event first, then releases a
 * synthetic value, the way the FHIR and page controllers do. It lives outside {@code org.phylax} so
 * that the application never scans it; a test adds it with {@code spring.main.sources}.
 */
@Configuration(proxyBeanMethods = false)
public class AuditedEndpoint {

  /** What the endpoint releases when its event is durable. */
  public static final String RELEASED = "synthetic-phi-7f3a";

  public static final String PATH = "/test/audited";

  @Bean
  @Order(0)
  SecurityFilterChain auditedEndpointOpen(HttpSecurity http) throws Exception {
    http.securityMatcher(PATH).authorizeHttpRequests(a -> a.anyRequest().permitAll());
    return http.build();
  }

  /** The endpoint; registered as a member of this configuration. */
  @RestController
  public static class Controller {
    private final AuditLog audit;

    Controller(AuditLog audit) {
      this.audit = audit;
    }

    @GetMapping(PATH)
    Map<String, String> read() {
      audit.record(
          AuditEvent.builder(AuditAction.READ, AuditEvent.Outcome.PERMIT)
              .actor("test-user", "physician", null)
              .entity("Observation", "obs-1", 1L)
              .patient(UUID.fromString("00000000-0000-4000-8000-000000000001"))
              .reason("ASSIGNED")
              .build());
      return Map.of("value", RELEASED);
    }
  }
}
