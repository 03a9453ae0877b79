package org.phylax.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.platform.internal.EmbeddedPostgres;

/**
 * {@code ./phylax serve} as a real process, with each kind of bad configuration: it must exit 2
 * with one line on stderr that names the setting, in bounded time, without a stack trace.
 */
class InvalidConfigurationIntegrationTests {

  @TempDir static Path shared;
  static EmbeddedPostgres postgres;

  @TempDir Path dir;

  @BeforeAll
  static void startPostgres() throws IOException {
    postgres = EmbeddedPostgres.start(shared.resolve("db"), "nobody");
  }

  @AfterAll
  static void stopPostgres() {
    postgres.close();
  }

  private Map<String, String> env(String... keyValues) {
    var map = new java.util.HashMap<String, String>();
    map.put("PHYLAX_DATA_DIR", dir.resolve("data").toString());
    map.put("PHYLAX_PORT", Integer.toString(PhylaxProcess.freePort()));
    map.put("PHYLAX_MASTER_KEY", PhylaxProcess.newMasterKey());
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put(keyValues[i], keyValues[i + 1]);
    }
    return map;
  }

  /** Runs serve, asserts exit 2 within {@code limit} and returns its only stderr line. */
  private String refusal(Map<String, String> env, Duration limit) throws InterruptedException {
    long start = System.nanoTime();
    try (PhylaxProcess phylax = PhylaxProcess.start(dir.resolve("work"), env, "serve")) {
      int status = phylax.exitStatus(limit.plusSeconds(30));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(status).as("exit status; stderr: %s", phylax.stderr()).isEqualTo(2);
      assertThat(took).as("time to refuse").isLessThanOrEqualTo(limit);
      List<String> lines = phylax.stderr().lines().toList();
      assertThat(lines).as("stderr").hasSize(1);
      assertThat(phylax.stdout() + phylax.stderr())
          .doesNotContain("\tat ")
          .doesNotContain("Exception");
      return lines.get(0);
    }
  }

  @Test
  void serveWhenPortIsNotANumberThenExitsTwoNamingIt() throws Exception {
    assertThat(refusal(env("PHYLAX_PORT", "abc"), Duration.ofSeconds(15)))
        .isEqualTo(
            "phylax: invalid configuration: PHYLAX_PORT: 'abc' is not a port number (1-65535)");
  }

  @Test
  void serveWhenDataDirNotWritableThenExitsTwoNamingIt() throws Exception {
    Path blocker = Files.writeString(dir.resolve("plain-file"), "not a directory");

    assertThat(
            refusal(
                env("PHYLAX_DATA_DIR", blocker.resolve("data").toString()), Duration.ofSeconds(15)))
        .startsWith("phylax: invalid configuration: PHYLAX_DATA_DIR: " + blocker.resolve("data"))
        .contains("not a writable directory");
  }

  @Test
  void serveWhenDatabasePortClosedThenExitsTwoQuickly() throws Exception {
    int closed = PhylaxProcess.freePort();

    assertThat(
            refusal(
                env(
                    "PHYLAX_DB_URL", "jdbc:postgresql://127.0.0.1:" + closed + "/phylax",
                    "PHYLAX_DB_USER", "phylax",
                    "PHYLAX_DB_PASSWORD", "whatever-it-is"),
                Duration.ofSeconds(15)))
        .isEqualTo(
            "phylax: invalid configuration: PHYLAX_DB_URL: nothing answers at 127.0.0.1:"
                + closed
                + " (connection refused)");
  }

  @Test
  void serveWhenDatabaseHostAcceptsButNeverAnswersThenExitsTwoWithinFifteenSeconds()
      throws Exception {
    List<Socket> held = new ArrayList<>();
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    held.add(silent.accept()); // accept, then say nothing
                  }
                } catch (IOException closedAtEnd) {
                  // the test is over
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();

      assertThat(
              refusal(
                  env(
                      "PHYLAX_DB_URL",
                      "jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/phylax",
                      "PHYLAX_DB_USER",
                      "phylax"),
                  Duration.ofSeconds(15)))
          .startsWith("phylax: invalid configuration: PHYLAX_DB_URL: 127.0.0.1:")
          .contains("did not answer as PostgreSQL within 10 s");
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  void serveWhenDatabaseRejectsCredentialsThenExitsTwoNamingThem() throws Exception {
    String line =
        refusal(
            env(
                "PHYLAX_DB_URL", postgres.jdbcUrl(),
                "PHYLAX_DB_USER", postgres.user(),
                "PHYLAX_DB_PASSWORD", "not-" + postgres.password()),
            Duration.ofSeconds(15));

    assertThat(line)
        .isEqualTo(
            "phylax: invalid configuration: PHYLAX_DB_USER/PHYLAX_DB_PASSWORD: the database at 127.0.0.1:"
                + postgres.port()
                + "/phylax rejected the credentials of user 'phylax'")
        .doesNotContain(postgres.password());
  }

  @Test
  void serveWhenDatabaseDoesNotExistThenExitsTwoNamingIt() throws Exception {
    String url = postgres.jdbcUrl().replace("/phylax", "/no_such_db");

    assertThat(
            refusal(
                env(
                    "PHYLAX_DB_URL", url,
                    "PHYLAX_DB_USER", postgres.user(),
                    "PHYLAX_DB_PASSWORD", postgres.password()),
                Duration.ofSeconds(15)))
        .isEqualTo(
            "phylax: invalid configuration: PHYLAX_DB_URL: database 'no_such_db' does not exist on 127.0.0.1:"
                + postgres.port());
  }

  @Test
  void serveWhenPortTakenThenExitsTwoAndStopsItsEmbeddedDatabase() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      Map<String, String> env = env("PHYLAX_PORT", Integer.toString(taken.getLocalPort()));
      try (PhylaxProcess phylax = PhylaxProcess.start(dir.resolve("work"), env, "serve")) {
        assertThat(phylax.exitStatus(Duration.ofSeconds(90))).isEqualTo(2);
        assertThat(phylax.stderr().lines().toList())
            .containsExactly(
                "phylax: invalid configuration: PHYLAX_PORT: port "
                    + taken.getLocalPort()
                    + " is already in use");
      }
      Path cluster = dir.resolve("data/pg");
      assertThat(cluster.resolve("PG_VERSION")).exists();
      assertThat(cluster.resolve("postmaster.pid"))
          .as("embedded PostgreSQL left running")
          .doesNotExist();
    }
  }
}
