package org.phylax.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.spec.SecretKeySpec;
import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.access.SystemAccess;
import org.phylax.platform.PhylaxProcess;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.PhylaxSettings;
import org.phylax.records.RecordStore;
import org.phylax.records.StoredResource;
import org.springframework.jdbc.core.JdbcTemplate;

/** {@code ./phylax demo}'s users: one per role, made once, the same credentials on every run. */
class DemoUsersIntegrationTests {

  private static final Pattern ROW =
      Pattern.compile("(?m)^\\s+(demo-[a-z-]+)\\s+(demo-\\S+)\\s+([A-Z2-7]{32})\\s+(\\w+)$");

  @TempDir Path dir;

  private Map<String, String> env() {
    return Map.of(
        "PHYLAX_DATA_DIR", dir.resolve("data").toString(),
        "PHYLAX_PORT", Integer.toString(PhylaxProcess.freePort()));
  }

  /** Runs {@code demo} until it has printed its users, stops it, returns username → row. */
  private Map<String, String[]> demo() throws Exception {
    Map<String, String> env = env();
    try (PhylaxProcess demo = PhylaxProcess.start(dir.resolve("work"), env, "demo")) {
      assertThat(
              demo.awaitHealthy(Integer.parseInt(env.get("PHYLAX_PORT")), Duration.ofSeconds(120)))
          .as(demo.stderr())
          .isTrue();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!demo.stdout().contains("and sign in with a demo user")
          && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      String out = demo.stdout();
      demo.terminate();
      assertThat(demo.exitStatus(Duration.ofSeconds(60))).isIn(0, 143);
      Map<String, String[]> rows = new LinkedHashMap<>();
      Matcher m = ROW.matcher(out);
      while (m.find()) {
        rows.put(m.group(1), new String[] {m.group(2), m.group(3), m.group(4)});
      }
      assertThat(out).contains("otpauth://totp/Phylax:demo-physician?secret=");
      assertThat(out)
          .contains("Open http://localhost:" + env.get("PHYLAX_PORT") + "/login and sign in");
      return rows;
    }
  }

  @Test
  void demoWhenRunTwiceThenOneUserPerRoleCreatedOnceWithTheSameCredentialsAndWorkingTotp()
      throws Exception {
    Map<String, String[]> first = demo();
    Map<String, String[]> second = demo();

    assertThat(first.keySet())
        .containsExactly(
            "demo-physician",
            "demo-nurse",
            "demo-front-desk",
            "demo-billing",
            "demo-compliance-officer",
            "demo-admin",
            "demo-patient");
    assertThat(first.values()).allSatisfy(r -> assertThat(r[2]).isEqualTo("created"));
    assertThat(second.values()).allSatisfy(r -> assertThat(r[2]).isEqualTo("exists"));
    for (String user : first.keySet()) {
      assertThat(second.get(user)[0]).isEqualTo(first.get(user)[0]);
      assertThat(second.get(user)[1]).isEqualTo(first.get(user)[1]);
    }
    Path file = dir.resolve("data/demo-users.txt");
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));

    try (PhylaxServer phylax =
        PhylaxServer.start(PhylaxSettings.of(env(), PhylaxSettings.Profile.DEV))) {
      Accounts accounts = phylax.context().getBean(Accounts.class);
      List<Account> all = accounts.list();
      assertThat(all).hasSize(7).allSatisfy(a -> assertThat(a.mfaEnrolled()).isTrue());
      Account patient = accounts.find("demo-patient").orElseThrow();
      StoredResource record =
          phylax
              .context()
              .getBean(RecordStore.class)
              .read(
                  phylax.context().getBean(SystemAccess.class).forTask("test"),
                  "Patient",
                  patient.patientId().orElseThrow());
      assertThat(record.createdBy()).isEqualTo("system:demo");
      assertThat(
              phylax
                  .context()
                  .getBean(JdbcTemplate.class)
                  .queryForObject(
                      "select count(*) from record_resource where resource_type = 'Patient'",
                      Integer.class))
          .as("the demo patient and the 20 synthetic patients of the first run, none added later")
          .isEqualTo(21);
      assertThat(accounts.find("demo-front-desk").orElseThrow().roles())
          .containsExactly(Role.FRONT_DESK);

      SignIn signIn = phylax.context().getBean(SignIn.class);
      String[] physician = first.get("demo-physician");
      SignInResult password =
          signIn.checkPassword(
              "demo-physician", physician[0], new ClientInfo("127.0.0.1", "test", null));
      assertThat(password.outcome()).isEqualTo(SignInResult.Outcome.MFA_REQUIRED);
      // The code of the next step: the demo's enrollment may have used the current one.
      String code =
          new TimeBasedOneTimePasswordGenerator(Duration.ofSeconds(30), 6)
              .generateOneTimePasswordString(
                  new SecretKeySpec(new Base32().decode(physician[1]), "RAW"),
                  Instant.now().plusSeconds(30),
                  Locale.ROOT);
      assertThat(
              signIn
                  .checkSecondFactor(password.challenge().orElseThrow(), code, ClientInfo.none())
                  .outcome())
          .isEqualTo(SignInResult.Outcome.SIGNED_IN);
    }

    Files.delete(file);
    Map<String, String[]> third = demo();
    assertThat(third.values()).allSatisfy(r -> assertThat(r[2]).isEqualTo("reset"));
    assertThat(third.get("demo-nurse")[0]).isNotEqualTo(first.get("demo-nurse")[0]);
    assertThat(Files.readString(file)).contains(third.get("demo-nurse")[0]);
  }
}
