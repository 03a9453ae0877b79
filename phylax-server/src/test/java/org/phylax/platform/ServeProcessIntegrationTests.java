package org.phylax.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.platform.internal.EmbeddedPostgres;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code ./phylax serve} as a real process: its log, a clean stop, and a kill -9. */
class ServeProcessIntegrationTests {

  @TempDir Path dir;

  private final int port = PhylaxProcess.freePort();
  private final String masterKey = PhylaxProcess.newMasterKey();

  private Map<String, String> env(String... extra) {
    var map = new java.util.HashMap<String, String>();
    map.put("PHYLAX_DATA_DIR", dir.resolve("data").toString());
    map.put("PHYLAX_PORT", Integer.toString(port));
    map.put("PHYLAX_MASTER_KEY", masterKey);
    for (int i = 0; i < extra.length; i += 2) {
      map.put(extra[i], extra[i + 1]);
    }
    return map;
  }

  private Path cluster() {
    return dir.resolve("data/pg");
  }

  @Test
  void serveWhenJsonLogsThenEveryLineIsJsonAndRequestLineHasNoQueryAndSigtermStopsCleanly()
      throws Exception {
    try (PhylaxProcess phylax =
        PhylaxProcess.start(dir.resolve("work"), env("PHYLAX_LOG_FORMAT", "json"), "serve")) {
      assertThat(phylax.awaitHealthy(port, Duration.ofSeconds(90)))
          .as("healthy; stderr: %s", phylax.stderr())
          .isTrue();
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:" + port + "/actuator/health?family=Synthname"))
                      .header("X-Request-Id", "probe-request-0001")
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);

      phylax.terminate();
      assertThat(phylax.exitStatus(Duration.ofSeconds(60))).isIn(0, 143);

      List<String> lines = phylax.stdout().lines().filter(l -> l.startsWith("{")).toList();
      JsonMapper json = JsonMapper.builder().build();
      List<JsonNode> events = lines.stream().map(json::readTree).toList();
      assertThat(events).hasSizeGreaterThan(5);
      JsonNode request =
          events.stream()
              .filter(e -> "probe-request-0001".equals(e.path("requestId").asString(null)))
              .filter(e -> e.path("message").asString("").startsWith("request "))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no request line in " + lines));
      assertThat(request.path("method").asString()).isEqualTo("GET");
      assertThat(request.path("path").asString()).isEqualTo("/actuator/health");
      assertThat(request.path("status").asInt()).isEqualTo(200);
      assertThat(request.has("latencyMs")).isTrue();
      assertThat(phylax.stdout()).doesNotContain("Synthname").doesNotContain("family=");
      // Printed, not logged: the serve banner, and on a new database the first administrator's
      // password in a block framed by rules, its lines indented.
      assertThat(phylax.stdout().lines().filter(l -> !l.isBlank()))
          .as("every log line is JSON (the serve banner and the first admin's password aside)")
          .allMatch(
              l ->
                  l.startsWith("{")
                      || l.startsWith("Phylax is serving at ")
                      || l.startsWith("=====")
                      || l.startsWith("  "));
    }
    assertThat(cluster().resolve("postmaster.pid")).doesNotExist();
    assertThat(Files.readString(dir.resolve("data/pg.log")))
        .contains("database system is shut down");
  }

  @Test
  void serveWhenKilledWithSignalNineThenNextStartRecoversAndKeepsCommittedData() throws Exception {
    String marker = UUID.randomUUID().toString();
    try (PhylaxProcess first = PhylaxProcess.start(dir.resolve("work"), env(), "serve")) {
      assertThat(first.awaitHealthy(port, Duration.ofSeconds(90))).isTrue();
      try (Connection c = connectToEmbedded()) {
        c.createStatement().execute("create table crash_probe (marker text)");
        c.createStatement().execute("insert into crash_probe values ('" + marker + "')");
      }
      first.kill();
    }
    long orphan =
        Long.parseLong(Files.readAllLines(cluster().resolve("postmaster.pid")).get(0).strip());
    assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive))
        .as("PostgreSQL outlives a kill -9 of Phylax")
        .hasValue(true);

    long start = System.nanoTime();
    try (PhylaxProcess second = PhylaxProcess.start(dir.resolve("work"), env(), "serve")) {
      assertThat(second.awaitHealthy(port, Duration.ofSeconds(90)))
          .as("healthy after kill -9; stdout: %s", second.stdout())
          .isTrue();
      System.out.printf(
          "serve after kill -9 healthy in %d ms%n", (System.nanoTime() - start) / 1_000_000);
      assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive))
          .isNotEqualTo(java.util.Optional.of(true));
      try (Connection c = connectToEmbedded();
          var rs = c.createStatement().executeQuery("select marker from crash_probe")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo(marker);
      }
      second.terminate();
      assertThat(second.exitStatus(Duration.ofSeconds(60))).isIn(0, 143);
    }
  }

  @Test
  void serveWhenSigtermWhileStillStartingThenEmbeddedPostgresStopsToo() throws Exception {
    try (PhylaxProcess phylax = PhylaxProcess.start(dir.resolve("work"), env(), "serve")) {
      Path pid = cluster().resolve("postmaster.pid");
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      // PostgreSQL is up well before the application is (migrations, Spring, Tomcat follow it)
      while (!(Files.exists(pid) && Files.readAllLines(pid).size() > 7)
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      long postgres = Long.parseLong(Files.readAllLines(pid).get(0).strip());
      phylax.terminate();
      assertThat(phylax.exitStatus(Duration.ofSeconds(60))).isIn(0, 1, 143);
      assertThat(ProcessHandle.of(postgres).map(ProcessHandle::isAlive))
          .as("no PostgreSQL left running on its own")
          .isNotEqualTo(java.util.Optional.of(true));
    }
    assertThat(cluster().resolve("postmaster.pid")).doesNotExist();
  }

  /** Connects to the embedded server the way a CLI command attaches to a running Phylax. */
  private Connection connectToEmbedded() throws Exception {
    EmbeddedPostgres.Connection running =
        EmbeddedPostgres.running(dir.resolve("data")).orElseThrow();
    return DriverManager.getConnection(running.url(), running.user(), running.password());
  }
}
