package org.phylax.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.datafaker.Faker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.cli.CliRun;
import org.phylax.platform.PhylaxProcess;
import org.phylax.platform.internal.EmbeddedPostgres;

/**
 * {@code ./phylax serve}'s first administrator and {@code ./phylax users …}, as an operator meets
 * them: the server as a real process, the users commands beside it on one database (in this JVM, as
 * {@link CliRun}s, except where the process's environment is the point).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UsersCommandIntegrationTests {

  private static final Pattern ADMIN_PASSWORD = Pattern.compile("(?m)^\\s+password:\\s+(\\S+)$");
  private static final String OPERATOR = System.getProperty("user.name");

  @TempDir static Path dir;
  static Map<String, String> env;
  static PhylaxProcess server;
  static String firstStartOutput;

  private final Faker faker = new Faker();

  @BeforeAll
  static void serve() throws Exception {
    env = new HashMap<>();
    env.put("PHYLAX_DATA_DIR", dir.resolve("data").toString());
    env.put("PHYLAX_PORT", Integer.toString(PhylaxProcess.freePort()));
    env.put("PHYLAX_MASTER_KEY", PhylaxProcess.newMasterKey());
    server = PhylaxProcess.start(dir.resolve("server"), env, "serve");
    assertThat(
            server.awaitHealthy(Integer.parseInt(env.get("PHYLAX_PORT")), Duration.ofSeconds(90)))
        .as(server.stderr())
        .isTrue();
    firstStartOutput = awaitOutput(server, "====", Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private static String awaitOutput(PhylaxProcess p, String marker, Duration limit)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      String out = p.stdout();
      if (out.lines().filter(l -> l.startsWith(marker)).count() >= 2) {
        return out;
      }
      Thread.sleep(100);
    }
    return p.stdout();
  }

  private record Run(int status, String out, String err) {}

  /** A users command in this JVM, beside the server's process (see {@link CliRun}). */
  private static Run phylax(String stdin, String... args) {
    CliRun run = CliRun.runWithInput(env, stdin, args);
    return new Run(run.status(), run.out(), run.err());
  }

  /**
   * A users command as its own process: for settings that reach Spring from the operating system's
   * environment, which an in-process run cannot set, and for the process's own standard input.
   */
  private static Run phylaxProcess(String stdin, String... args) throws Exception {
    try (PhylaxProcess p = PhylaxProcess.startWithInput(dir.resolve("work"), env, stdin, args)) {
      int status = p.exitStatus(Duration.ofSeconds(120));
      return new Run(status, p.stdout(), p.stderr());
    }
  }

  private static List<Map<String, String>> query(String sql, Object... args) throws Exception {
    EmbeddedPostgres.Connection running =
        EmbeddedPostgres.running(dir.resolve("data")).orElseThrow();
    try (Connection c =
            DriverManager.getConnection(running.url(), running.user(), running.password());
        var statement = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        statement.setObject(i + 1, args[i]);
      }
      List<Map<String, String>> rows = new ArrayList<>();
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          Map<String, String> row = new HashMap<>();
          for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
            row.put(rs.getMetaData().getColumnLabel(i), rs.getString(i));
          }
          rows.add(row);
        }
      }
      return rows;
    }
  }

  private static int accounts() throws Exception {
    return Integer.parseInt(query("select count(*) as n from user_account").get(0).get("n"));
  }

  @Test
  @Order(1)
  void serveWhenDatabaseHasNoAccountsThenPrintsTheAdminPasswordOnceFramedAndNotInTheLog()
      throws Exception {
    Matcher m = ADMIN_PASSWORD.matcher(firstStartOutput);
    assertThat(m.find()).as(firstStartOutput).isTrue();
    String password = m.group(1);

    assertThat(firstStartOutput).contains("username:  admin");
    assertThat(password).hasSizeGreaterThanOrEqualTo(20);
    // Printed once, on the console, and by no logger (a log line carries a level).
    assertThat(firstStartOutput.split(Pattern.quote(password), -1)).hasSize(2);
    assertThat(firstStartOutput.lines().filter(l -> l.contains(password)))
        .singleElement()
        .asString()
        .doesNotContain("INFO")
        .doesNotContain("WARN");
    assertThat(server.stderr()).doesNotContain(password);
    List<Map<String, String>> admin =
        query(
            "select a.status, a.password_hash, r.role from user_account a"
                + " join user_account_role r on r.account_id = a.id where a.username = 'admin'");
    assertThat(admin)
        .singleElement()
        .satisfies(
            row -> {
              assertThat(row.get("role")).isEqualTo("admin");
              assertThat(row.get("status")).isEqualTo("active");
              assertThat(row.get("password_hash")).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
            });
    assertThat(
            query(
                "select * from audit_event where action = 'ACCOUNT_CREATE' and actor_user = 'system:bootstrap'"))
        .hasSize(1);
  }

  @Test
  @Order(2)
  void usersWhenOperatorAddsListsAndChangesAccountsThenEachIsDoneAndAuditedAsTheOperator()
      throws Exception {
    String nurse =
        "nurse."
            + faker.name().lastName().toLowerCase().replaceAll("[^a-z]", "")
            + faker.number().digits(4);
    String patient = "pt" + faker.number().digits(8);
    String displayName = faker.name().fullName();
    String practitioner = UUID.randomUUID().toString();

    Run addNurse =
        phylax(
            "cobalt-harbor-willow-29\n",
            "users",
            "add",
            nurse,
            "--role",
            "nurse",
            "--role",
            "front-desk",
            "--practitioner",
            practitioner,
            "--display-name",
            displayName,
            "--password-stdin");
    Run addPatient =
        phylax(
            "tangerine-glacier-moss-63\n",
            "users",
            "add",
            patient,
            "--role",
            "patient",
            "--patient",
            UUID.randomUUID().toString(),
            "--password-stdin");
    Run disable = phylax(null, "users", "disable", nurse.toUpperCase(), "--reason", "on leave");
    Run listed = phylax(null, "users", "list");
    Run enable = phylax(null, "users", "enable", nurse);
    Run unlock = phylax(null, "users", "unlock", nurse);
    Run reset = phylax(null, "users", "mfa-reset", nurse);

    for (Run run : List.of(addNurse, addPatient, disable, listed, enable, unlock, reset)) {
      assertThat(run.status()).as(run.err()).isZero();
      assertThat(run.err()).isEmpty();
    }
    assertThat(addNurse.out())
        .contains("created " + nurse + " (front_desk,nurse); enrolls TOTP at the first sign-in");
    assertThat(listed.out())
        .containsPattern("(?m)^admin\\s+admin\\s+active\\s+no\\s+-$")
        .containsPattern(
            "(?m)^"
                + Pattern.quote(nurse)
                + "\\s+front_desk,nurse\\s+disabled\\s+no\\s+practitioner$")
        .containsPattern("(?m)^" + patient + "\\s+patient\\s+active\\s+no\\s+patient$")
        .contains("3 accounts")
        .doesNotContain(displayName)
        .doesNotContain(practitioner);
    assertThat(enable.out()).contains("enabled " + nurse + " (active)");
    assertThat(query("select status from user_account where username = ?", nurse))
        .containsExactly(Map.of("status", "active"));

    List<Map<String, String>> events =
        query(
            "select e.action, e.actor_user, e.actor_role, e.outcome_reason from audit_event e"
                + " join user_account a on e.entity_id = a.id::text where a.username = ?"
                + " order by e.seq",
            nurse);
    assertThat(events)
        .extracting(e -> e.get("action"))
        .containsExactly(
            "ACCOUNT_CREATE", "ACCOUNT_DISABLE", "ACCOUNT_ENABLE", "ACCOUNT_UNLOCK", "MFA_RESET");
    assertThat(events)
        .allSatisfy(
            e -> {
              assertThat(e.get("actor_user")).isEqualTo(OPERATOR);
              assertThat(e.get("actor_role")).isEqualTo("operator");
            });
    assertThat(events.get(1).get("outcome_reason")).isEqualTo("on leave");
    String everything =
        query("select string_agg(t::text, '|') as all from user_account t").get(0).get("all")
            + query("select string_agg(t::text, '|') as all from audit_event t").get(0).get("all");
    assertThat(everything)
        .doesNotContain(displayName)
        .doesNotContain("cobalt-harbor-willow-29")
        .doesNotContain("tangerine-glacier-moss-63");
  }

  @Test
  @Order(3)
  void usersWhenInputIsBadThenExitTwoWithOneLineAndNothingCreated() throws Exception {
    int before = accounts();
    String name = "fd" + faker.number().digits(8);

    Run unknownRole =
        phylax(
            "cobalt-harbor-willow-29\n",
            "users",
            "add",
            name,
            "--role",
            "surgeon",
            "--password-stdin");
    Run duplicate =
        phylax(
            "cobalt-harbor-willow-29\n",
            "users",
            "add",
            "ADMIN",
            "--role",
            "admin",
            "--password-stdin");
    Run weak =
        phylax("password1234\n", "users", "add", name, "--role", "billing", "--password-stdin");
    Run noStdin = phylax(null, "users", "add", name, "--role", "billing");
    // The process's own standard input, closed without a line (ended before Phylax starts).
    Run emptyStdin =
        phylaxProcess("", "users", "add", name, "--role", "billing", "--password-stdin");
    Run bothLinks =
        phylax(
            "cobalt-harbor-willow-29\n",
            "users",
            "add",
            name,
            "--role",
            "nurse",
            "--practitioner",
            UUID.randomUUID().toString(),
            "--patient",
            UUID.randomUUID().toString(),
            "--password-stdin");
    Run badId =
        phylax(
            "cobalt-harbor-willow-29\n",
            "users",
            "add",
            name,
            "--role",
            "nurse",
            "--practitioner",
            "dr-7",
            "--password-stdin");
    Run missing = phylax(null, "users", "disable", "nobody-" + name, "--reason", "test");
    Run noReason = phylax(null, "users", "disable", "admin");
    env.put("PHYLAX_IDENTITY_LOCKOUT_WINDOW", "0s");
    Run badSetting;
    try {
      badSetting = phylaxProcess(null, "users", "list");
    } finally {
      env.remove("PHYLAX_IDENTITY_LOCKOUT_WINDOW");
    }

    assertThat(
            List.of(
                unknownRole,
                duplicate,
                weak,
                noStdin,
                emptyStdin,
                bothLinks,
                badId,
                missing,
                noReason,
                badSetting))
        .allSatisfy(
            run -> {
              assertThat(run.status()).as(run.out() + run.err()).isEqualTo(2);
              assertThat(run.err().lines()).hasSize(1);
              assertThat(run.err())
                  .doesNotContain("\tat ")
                  .doesNotContain("cobalt-harbor-willow-29");
            });
    assertThat(unknownRole.err())
        .startsWith(
            "phylax: users add: unknown role 'surgeon' (roles: physician, nurse, front_desk,");
    assertThat(duplicate.err()).isEqualTo("phylax: users add: username 'ADMIN' is already taken\n");
    assertThat(weak.err())
        .isEqualTo(
            "phylax: users add: password refused: it is a commonly used password (or one with digits or symbols added)\n");
    assertThat(noStdin.err()).contains("--password-stdin is required");
    assertThat(emptyStdin.err()).isEqualTo("phylax: users add: no password on standard input\n");
    assertThat(bothLinks.err()).contains("mutually exclusive");
    assertThat(badId.err())
        .isEqualTo("phylax: users add: --practitioner: 'dr-7' is not a resource id (a UUID)\n");
    assertThat(missing.err())
        .isEqualTo("phylax: users disable: no account 'nobody-" + name + "'\n");
    assertThat(noReason.err()).contains("--reason");
    assertThat(badSetting.err())
        .isEqualTo(
            "phylax: invalid configuration: phylax.identity.lockout.window: must be a positive"
                + " duration (e.g. 15m)\n");
    assertThat(accounts()).isEqualTo(before);
    assertThat(query("select status from user_account where username = 'admin'"))
        .containsExactly(Map.of("status", "active"));
  }

  @Test
  @Order(4)
  void serveWhenAccountsExistThenNoNewAdminAndNoPassword() throws Exception {
    server.close();
    int before = accounts0();
    try (PhylaxProcess again = PhylaxProcess.start(dir.resolve("server2"), env, "serve")) {
      assertThat(
              again.awaitHealthy(Integer.parseInt(env.get("PHYLAX_PORT")), Duration.ofSeconds(90)))
          .as(again.stderr())
          .isTrue();
      Thread.sleep(1000);
      assertThat(again.stdout()).contains("Phylax is serving at").doesNotContain("password:");
      assertThat(accounts()).isEqualTo(before);
    }
  }

  /** The count through a short-lived tool command, since no server is running. */
  private static int accounts0() throws Exception {
    Run list = phylax(null, "users", "list");
    assertThat(list.status()).as(list.err()).isZero();
    Matcher m = Pattern.compile("(\\d+) accounts?").matcher(list.out());
    assertThat(m.find()).isTrue();
    return Integer.parseInt(m.group(1));
  }

  @Test
  @Order(3) // while the first server still runs
  void tokenThenPrintsOnlyABearerTokenThatTheRunningServerAccepts() throws Exception {
    String user = "tok" + faker.number().digits(6);
    Run add =
        phylax(
            "amber-lantern-quarry-58\n",
            "users",
            "add",
            user,
            "--role",
            "physician",
            "--practitioner",
            UUID.randomUUID().toString(),
            "--password-stdin");
    assertThat(add.status()).as(add.err()).isZero();

    Run token = phylax(null, "users", "token", user, "--ttl", "5m");

    assertThat(token.status()).as(token.err()).isZero();
    assertThat(token.out().lines().toList()).hasSize(1);
    String jwt = token.out().strip();
    assertThat(jwt).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    java.net.http.HttpResponse<String> me =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(
                            "http://127.0.0.1:" + env.get("PHYLAX_PORT") + "/api/me"))
                    .header("Authorization", "Bearer " + jwt)
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
    assertThat(me.body()).contains("phylax-cli");

    Run tooLong = phylax(null, "users", "token", user, "--ttl", "2h");
    Run unknown = phylax(null, "users", "token", "no-such-user-" + faker.number().digits(4));
    for (Run refused : List.of(tooLong, unknown)) {
      assertThat(refused.status()).isEqualTo(2);
      assertThat(refused.err().lines().toList()).hasSize(1);
      assertThat(refused.out()).isEmpty();
    }
    assertThat(tooLong.err()).contains("--ttl must be between 1m and 1h");
    assertThat(unknown.err()).contains("no account named");
  }
}
