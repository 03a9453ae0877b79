package org.phylax.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code PHYLAX_DB_URL=… ./phylax serve} against an operator's PostgreSQL: the one named by {@code
 * PHYLAX_TEST_DB_URL} (with {@code PHYLAX_TEST_DB_USER}, {@code PHYLAX_TEST_DB_PASSWORD}), or else
 * a server this test starts from Debian's {@code postgresql} package in a temporary directory (as
 * the {@code postgres} account when the tests run as root). Without either it is skipped, unless
 * {@code PHYLAX_REQUIRE_EXTERNAL_PG} is set (CI sets it), when it fails.
 */
class ExternalPostgresIntegrationTests {

  private static final String USER = "phylax_operator";
  private static final String PASSWORD = "operator-chosen-password-123";

  static Path home;
  static Process server;
  static String url;
  static String user;
  static String password;

  @TempDir Path dir;

  @BeforeAll
  static void startServer() throws Exception {
    String given = System.getenv("PHYLAX_TEST_DB_URL");
    if (given != null && !given.isBlank()) {
      url = given;
      user = System.getenv("PHYLAX_TEST_DB_USER");
      password = Optional.ofNullable(System.getenv("PHYLAX_TEST_DB_PASSWORD")).orElse("");
      return;
    }
    Optional<Path> bin = debianPostgres();
    if (bin.isEmpty() && System.getenv("PHYLAX_REQUIRE_EXTERNAL_PG") != null) {
      throw new AssertionError(
          "PHYLAX_REQUIRE_EXTERNAL_PG is set but no /usr/lib/postgresql/*/bin/postgres (15+) is"
              + " installed: apt-get install -y postgresql");
    }
    assumeTrue(
        bin.isPresent(),
        "no PostgreSQL 15+ server from Debian's postgresql package and no PHYLAX_TEST_DB_URL");

    home = Files.createTempDirectory("phylax-external-pg");
    Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path pwfile = Files.writeString(home.resolve("pwfile"), PASSWORD + "\n");
    Path data = home.resolve("data");
    chownToPostgres(home);
    chownToPostgres(pwfile);
    run(
        command(
            bin.get().resolve("initdb").toString(),
            "-D",
            data.toString(),
            "-U",
            USER,
            "--pwfile=" + pwfile,
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C"));
    int port = PhylaxProcess.freePort();
    server =
        new ProcessBuilder(
                command(
                    bin.get().resolve("postgres").toString(),
                    "-D",
                    data.toString(),
                    "-p",
                    Integer.toString(port),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    "unix_socket_directories=" + home))
            .redirectErrorStream(true)
            .redirectOutput(home.resolve("server.log").toFile())
            .start();
    url = "jdbc:postgresql://127.0.0.1:" + port + "/phylax_operator_db";
    user = USER;
    password = PASSWORD;
    String admin = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try (Connection c = DriverManager.getConnection(admin, USER, PASSWORD)) {
        c.createStatement().execute("create database phylax_operator_db");
        break;
      } catch (SQLException e) {
        if (System.nanoTime() > deadline || !server.isAlive()) {
          throw new AssertionError(
              "Debian PostgreSQL did not start: " + Files.readString(home.resolve("server.log")),
              e);
        }
        Thread.sleep(100);
      }
    }
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.destroy(); // smart shutdown; Phylax has disconnected by now
      if (!server.waitFor(60, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
    if (home != null) {
      try (Stream<Path> paths = Files.walk(home)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void serveWhenDbUrlGivenThenRunsMigrationsOnThatServerAndReportsUp() throws Exception {
    int port = PhylaxProcess.freePort();
    Map<String, String> env =
        Map.of(
            "PHYLAX_DATA_DIR",
            dir.resolve("data").toString(),
            "PHYLAX_PORT",
            Integer.toString(port),
            "PHYLAX_DB_URL",
            url,
            "PHYLAX_DB_USER",
            user,
            "PHYLAX_DB_PASSWORD",
            password,
            "PHYLAX_MASTER_KEY",
            PhylaxProcess.newMasterKey());
    try (PhylaxProcess phylax = PhylaxProcess.start(dir.resolve("work"), env, "serve")) {
      assertThat(phylax.awaitHealthy(port, Duration.ofSeconds(90)))
          .as("healthy; stdout: %s", phylax.stdout())
          .isTrue();
      try (Connection c = DriverManager.getConnection(url, user, password)) {
        assertThat(c.getMetaData().getDatabaseMajorVersion()).isGreaterThanOrEqualTo(15);
        var rs =
            c.createStatement()
                .executeQuery("select count(*) from flyway_schema_history where success");
        rs.next();
        assertThat(rs.getInt(1)).isGreaterThanOrEqualTo(1);
        // The instance registers itself once the context has started, which may be a moment
        // after the health endpoint first answers.
        int instances = 0;
        long until = System.currentTimeMillis() + 30_000;
        while (instances == 0 && System.currentTimeMillis() < until) {
          rs = c.createStatement().executeQuery("select count(*) from phylax_instance");
          rs.next();
          instances = rs.getInt(1);
          if (instances == 0) {
            Thread.sleep(200);
          }
        }
        assertThat(instances).isEqualTo(1);
      }
      assertThat(dir.resolve("data/pg")).as("no embedded cluster").doesNotExist();
      assertThat(phylax.stdout()).doesNotContain(password);
      phylax.terminate();
      assertThat(phylax.exitStatus(Duration.ofSeconds(60))).isIn(0, 143);
    }
  }

  private static Optional<Path> debianPostgres() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .filter(p -> p.getFileName().toString().matches("\\d+"))
          .filter(p -> Integer.parseInt(p.getFileName().toString()) >= 15)
          .filter(p -> Files.isExecutable(p.resolve("bin/postgres")))
          .max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString())))
          .map(p -> p.resolve("bin"));
    }
  }

  private static boolean root() {
    return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
  }

  /** initdb and postgres refuse root: run them as the postgres account when we are root. */
  private static List<String> command(String... args) {
    List<String> command = new ArrayList<>();
    if (root()) {
      command.addAll(
          List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups", "--"));
    }
    command.addAll(List.of(args));
    return command;
  }

  private static void chownToPostgres(Path path) throws Exception {
    if (root()) {
      run(List.of("chown", "postgres:postgres", path.toString()));
    }
  }

  private static void run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError(command.get(0) + " failed: " + output);
    }
  }
}
