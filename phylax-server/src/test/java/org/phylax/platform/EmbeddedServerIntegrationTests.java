package org.phylax.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.platform.PhylaxSettings.Profile;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Phylax on its embedded PostgreSQL, started in this JVM the way {@code serve} starts it. */
class EmbeddedServerIntegrationTests {

  @TempDir Path dir;

  private final HttpClient http = HttpClient.newHttpClient();

  private PhylaxSettings settings() {
    return PhylaxSettings.of(
        Map.of(
            "PHYLAX_DATA_DIR", dir.resolve("data").toString(),
            "PHYLAX_PORT", Integer.toString(PhylaxProcess.freePort())),
        Profile.DEV);
  }

  private HttpResponse<String> get(PhylaxServer server, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(server.baseUri().resolve(path))
            .timeout(Duration.ofSeconds(15))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void startWhenEmbeddedThenHealthIsUpWithoutDetailsAndARestartKeepsCommittedRows()
      throws Exception {
    UUID instance;
    String marker = UUID.randomUUID().toString();
    try (PhylaxServer server = PhylaxServer.start(settings())) {
      HttpResponse<String> health = get(server, "/actuator/health");
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).isEqualTo("{\"status\":\"UP\"}");

      JdbcClient jdbc = server.context().getBean(JdbcClient.class);
      assertThat(
              jdbc.sql("select version from flyway_schema_history where success")
                  .query(String.class)
                  .list())
          .contains("1", "2");
      assertThat(
              jdbc.sql("select count(*) from flyway_schema_history where not success")
                  .query(Long.class)
                  .single())
          .isZero();
      instance = jdbc.sql("select instance_id from phylax_instance").query(UUID.class).single();
      // The application's role may not create tables; the owner may.
      org.phylax.audit.Tampering.asOwner(
          server.context().getBean(org.springframework.jdbc.core.JdbcTemplate.class),
          "create table restart_probe (marker text)");
      jdbc.sql("insert into restart_probe values (?)").param(marker).update();
      // Batched inserts (search tokens, history) reach PostgreSQL as multi-row statements: the
      // driver rewrites them, and then reports no per-row count.
      int[] counts =
          server
              .context()
              .getBean(org.springframework.jdbc.core.JdbcTemplate.class)
              .batchUpdate(
                  "insert into restart_probe values (?)",
                  List.of(new Object[] {"batch-1"}, new Object[] {"batch-2"}));
      assertThat(counts).containsOnly(java.sql.Statement.SUCCESS_NO_INFO);
    }
    assertThat(dir.resolve("data/pg/postmaster.pid"))
        .as("database stopped with the server")
        .doesNotExist();

    try (PhylaxServer again = PhylaxServer.start(settings())) {
      assertThat(get(again, "/actuator/health").statusCode()).isEqualTo(200);
      JdbcClient jdbc = again.context().getBean(JdbcClient.class);
      assertThat(jdbc.sql("select marker from restart_probe").query(String.class).list())
          .containsExactlyInAnyOrder("batch-1", "batch-2", marker);
      assertThat(jdbc.sql("select instance_id from phylax_instance").query(UUID.class).single())
          .isEqualTo(instance);
    }
  }

  @Test
  void requestWhenNotHealthThenDeniedByDefaultAsProblemJson() throws Exception {
    try (PhylaxServer server = PhylaxServer.start(settings())) {
      for (String path : new String[] {"/no-such-page", "/api/anything", "/actuator/env"}) {
        HttpResponse<String> response = get(server, path);
        assertThat(response.statusCode()).as(path).isEqualTo(401);
        assertThat(response.headers().firstValue("Content-Type"))
            .as(path)
            .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(response.body()).contains("\"status\":401");
      }
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(server.baseUri().resolve("/actuator/health"))
                  .header("X-Request-Id", "req-1234567890")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.headers().firstValue("X-Request-Id")).hasValue("req-1234567890");
      HttpResponse<String> generated = get(server, "/actuator/health");
      assertThat(generated.headers().firstValue("X-Request-Id").orElseThrow()).hasSize(36);
    }
  }

  @Test
  void startWhenDataDirInUseByAnotherPhylaxThenRefusesAndLeavesTheFirstRunning() throws Exception {
    try (PhylaxServer first = PhylaxServer.start(settings())) {
      assertThatThrownBy(() -> PhylaxServer.start(settings()))
          .isInstanceOf(ConfigurationProblem.class)
          .hasMessage(
              "PHYLAX_DATA_DIR: "
                  + dir.resolve("data")
                  + " is in use by another running Phylax; stop it or choose another directory");

      assertThat(get(first, "/actuator/health").body()).isEqualTo("{\"status\":\"UP\"}");
    }
  }

  @Test
  void healthWhenDatabaseGoneThenDownWith503() throws Exception {
    try (PhylaxServer server = PhylaxServer.start(settings())) {
      assertThat(get(server, "/actuator/health").statusCode()).isEqualTo(200);

      long pid =
          Long.parseLong(Files.readAllLines(dir.resolve("data/pg/postmaster.pid")).get(0).strip());
      ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
      postmaster.destroyForcibly(); // the database crashes
      postmaster.onExit().get();
      ProcessHandle.allProcesses()
          .filter(p -> p.parent().map(pp -> pp.pid() == pid).orElse(false))
          .forEach(ProcessHandle::destroyForcibly);
      server
          .context()
          .getBean(com.zaxxer.hikari.HikariDataSource.class)
          .getHikariPoolMXBean()
          .softEvictConnections();

      HttpResponse<String> health = get(server, "/actuator/health");
      assertThat(health.statusCode()).isEqualTo(503);
      assertThat(health.body()).isEqualTo("{\"status\":\"DOWN\"}");
    }
  }

  @Test
  void startWhenExternalDatabaseGivenThenUsesIt(@TempDir Path other) throws Exception {
    try (var postgres = org.phylax.platform.internal.EmbeddedPostgres.start(other, "nobody")) {
      PhylaxSettings settings =
          PhylaxSettings.of(
              Map.of(
                  "PHYLAX_DATA_DIR", dir.resolve("data").toString(),
                  "PHYLAX_PORT", Integer.toString(PhylaxProcess.freePort()),
                  "PHYLAX_DB_URL", postgres.jdbcUrl(),
                  "PHYLAX_DB_USER", postgres.user(),
                  "PHYLAX_DB_PASSWORD", postgres.password(),
                  "PHYLAX_MASTER_KEY", PhylaxProcess.newMasterKey()),
              Profile.PROD);
      try (PhylaxServer server = PhylaxServer.start(settings)) {
        assertThat(get(server, "/actuator/health").body()).isEqualTo("{\"status\":\"UP\"}");
      }
      assertThat(dir.resolve("data/pg"))
          .as("no embedded cluster when a URL is given")
          .doesNotExist();
      try (var c =
              java.sql.DriverManager.getConnection(
                  postgres.jdbcUrl(), postgres.user(), postgres.password());
          var rs = c.createStatement().executeQuery("select count(*) from phylax_instance")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(1);
      }
    }
  }
}
