package org.phylax.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.TestServers;
import org.springframework.jdbc.core.JdbcTemplate;
import testsupport.audited.AuditedEndpoint;

/**
 * Fail closed over real HTTP: when the audit event of a request cannot be written, the request is
 * answered 503 with a problem document and what it would have released is not in the answer.
 */
class AuditFailClosedIntegrationTests {

  @TempDir static Path dir;
  static PhylaxServer server;
  static JdbcTemplate jdbc;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    System.setProperty("spring.main.sources", AuditedEndpoint.class.getName());
    // Fail fast rather than after the default 10 s.
    System.setProperty("phylax.audit.timeout-ms", "3000");
    try {
      server = TestServers.dev(dir);
    } finally {
      System.clearProperty("spring.main.sources");
      System.clearProperty("phylax.audit.timeout-ms");
    }
    jdbc = server.context().getBean(JdbcTemplate.class);
  }

  @AfterAll
  static void stop() {
    server.close();
    System.clearProperty("phylax.audit.checkpoint-poll");
  }

  private static HttpResponse<String> get() throws Exception {
    return http.send(
        HttpRequest.newBuilder(server.baseUri().resolve(URI.create(AuditedEndpoint.PATH))).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static long events() {
    return jdbc.queryForObject("select count(*) from audit_event", Long.class);
  }

  @Test
  void requestWhenTheEventIsWrittenThenReleasesAndWhenItCannotBeThen503AndReleasesNothing()
      throws Exception {
    long before = events();
    HttpResponse<String> ok = get();
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).contains(AuditedEndpoint.RELEASED);
    assertThat(events()).isEqualTo(before + 1);

    Tampering.asOwner(jdbc, "revoke insert on audit_event from phylax_app");
    HttpResponse<String> refused;
    try {
      refused = get();
    } finally {
      Tampering.asOwner(jdbc, "grant insert on audit_event to phylax_app");
    }

    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
    assertThat(refused.body())
        .contains("Audit log unavailable")
        .doesNotContain(AuditedEndpoint.RELEASED)
        .doesNotContain("Exception")
        .doesNotContain("permission denied");
    assertThat(events()).isEqualTo(before + 1);

    // Once the log can be written again, so can requests.
    assertThat(get().statusCode()).isEqualTo(200);
    assertThat(events()).isEqualTo(before + 2);
  }
}
