package org.phylax.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./phylax clients …} in process, against an embedded PostgreSQL in a temp data dir. */
class ClientsCommandIntegrationTests {

  @TempDir static Path dir;
  static Map<String, String> env;

  @BeforeAll
  static void settings() {
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    env = Map.of("PHYLAX_DATA_DIR", dir.resolve("data").toString(), "PHYLAX_PROFILE", "dev");
  }

  @AfterAll
  static void clear() {
    System.clearProperty("phylax.audit.checkpoint-poll");
  }

  private record Run(int status, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        PhylaxCli.execute(
            args,
            env,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void addThenPrintsIdAndSecretOnceAndListShowsTheClientWithoutItsSecret() {
    Run added = run("clients", "add", "Nightly quality report", "--scope", "system/*.read");

    assertThat(added.status()).as(added.err()).isZero();
    assertThat(added.out().lines().toList())
        .hasSize(2)
        .satisfiesExactly(
            id -> assertThat(id).matches("client_id=svc-[0-9a-f-]{36}"),
            secret -> assertThat(secret).matches("client_secret=[A-Za-z0-9_-]{43}"));
    String clientId = added.out().lines().findFirst().orElseThrow().substring(10);
    String secret = added.out().lines().skip(1).findFirst().orElseThrow().substring(14);

    Run listed = run("clients", "list");
    assertThat(listed.status()).isZero();
    assertThat(listed.out())
        .contains(clientId + "  client_credentials  system/*.read  Nightly quality report")
        .doesNotContain(secret);
  }

  @Test
  void addWhenScopeIsNotASystemScopeThenExit2WithOneLineAndNothingRegistered() {
    for (String scope : new String[] {"patient/*.read", "system/Patient.launch", "everything"}) {
      Run refused = run("clients", "add", "Feed", "--scope", scope);

      assertThat(refused.status()).as(scope).isEqualTo(2);
      assertThat(refused.err().lines().toList()).as(scope).hasSize(1);
      assertThat(refused.err()).contains("'" + scope + "' is not a system scope");
      assertThat(refused.out()).isEmpty();
    }
    assertThat(run("clients", "list").out()).doesNotContain("Feed");
  }

  @Test
  void addWithoutScopeThenExit2() {
    Run refused = run("clients", "add", "Feed");
    assertThat(refused.status()).isEqualTo(2);
    assertThat(refused.err()).contains("--scope");
  }
}
