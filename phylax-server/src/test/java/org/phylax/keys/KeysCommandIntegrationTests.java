package org.phylax.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.cli.CliRun;
import org.phylax.platform.PhylaxProcess;

/**
 * {@code ./phylax keys …} and the master-key rules, as an operator meets them: the commands in this
 * JVM ({@link CliRun}), one refusal and the running server as real processes.
 */
class KeysCommandIntegrationTests {

  private static final Pattern KEYRING = Pattern.compile("keyring\\s+([0-9a-f-]{36})");
  private static final Pattern PRIMARY = Pattern.compile("(?m)^(\\d+)\\s+yes\\s");

  @TempDir Path dir;

  private Map<String, String> env(String... keyValues) {
    Map<String, String> env = new HashMap<>();
    env.put("PHYLAX_DATA_DIR", dir.resolve("data").toString());
    env.put("PHYLAX_PORT", Integer.toString(PhylaxProcess.freePort()));
    for (int i = 0; i < keyValues.length; i += 2) {
      env.put(keyValues[i], keyValues[i + 1]);
    }
    return env;
  }

  private record Run(int status, String out, String err) {}

  /** A keys command in this JVM (see {@link CliRun}). */
  private Run phylax(Map<String, String> env, String... args) {
    CliRun run = CliRun.run(env, args);
    return new Run(run.status(), run.out(), run.err());
  }

  /** A keys command as a real process, for its exit status as a script sees it. */
  private Run phylaxProcess(Map<String, String> env, String... args) throws Exception {
    try (PhylaxProcess p = PhylaxProcess.start(dir.resolve("work"), env, args)) {
      int status = p.exitStatus(Duration.ofSeconds(120));
      return new Run(status, p.stdout(), p.stderr());
    }
  }

  private static String group(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    assertThat(m.find()).as("%s in %s", pattern, text).isTrue();
    return m.group(1);
  }

  @Test
  void keysWhenDevProfileWithoutMasterKeyThenGeneratesPrivateDevKeyAndWarnsAtEveryStart()
      throws Exception {
    Run first = phylax(env("PHYLAX_PROFILE", "dev"), "keys", "status");
    Run second = phylax(env("PHYLAX_PROFILE", "dev"), "keys", "status");

    assertThat(first.status()).as(first.err()).isZero();
    assertThat(second.status()).isZero();
    Path devKey = dir.resolve("data/dev-master.key");
    assertThat(Files.getPosixFilePermissions(devKey))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    for (Run run : List.of(first, second)) {
      assertThat(run.out().lines().filter(l -> l.contains("DEV MASTER KEY")).count()).isOne();
      assertThat(run.out()).contains("(the generated dev key: not for real data)");
    }
    assertThat(group(KEYRING, first.out())).isEqualTo(group(KEYRING, second.out()));
  }

  @Test
  void keysWhenProdWithTheDevKeyOrAWrongKeyThenRefusesWithOneLine() throws Exception {
    Run init = phylax(env("PHYLAX_PROFILE", "dev"), "keys", "init");
    String keyring = group(Pattern.compile("keyring ([0-9a-f-]{36})"), init.out());

    Run devKeyInProd =
        phylax(
            env(
                "PHYLAX_PROFILE",
                "prod",
                "PHYLAX_MASTER_KEY_FILE",
                dir.resolve("data/dev-master.key").toString()),
            "keys",
            "status");
    Run wrongKey =
        phylax(
            env("PHYLAX_PROFILE", "dev", "PHYLAX_MASTER_KEY", PhylaxProcess.newMasterKey()),
            "keys",
            "status");
    Run noKey = phylaxProcess(env("PHYLAX_PROFILE", "prod"), "keys", "status");

    assertThat(devKeyInProd.status()).isEqualTo(2);
    assertThat(devKeyInProd.err().lines())
        .singleElement()
        .asString()
        .startsWith(
            "phylax: invalid configuration: PHYLAX_MASTER_KEY_FILE: is the generated dev master key");
    assertThat(wrongKey.status()).isEqualTo(2);
    assertThat(wrongKey.err().lines())
        .containsExactly(
            "phylax: invalid configuration: PHYLAX_MASTER_KEY: master key does not open keyring "
                + keyring);
    assertThat(noKey.status()).isEqualTo(2);
    assertThat(noKey.err().lines())
        .singleElement()
        .asString()
        .startsWith(
            "phylax: invalid configuration: PHYLAX_MASTER_KEY: the prod profile needs a master key");
    for (Run run : List.of(devKeyInProd, wrongKey, noKey)) {
      assertThat(run.out() + run.err()).doesNotContain("\tat ");
    }
  }

  @Test
  void rotateMasterWhenNewKeyGivenThenOnlyTheNewKeyOpensTheKeyringAndDataKeysStay()
      throws Exception {
    String oldKey = PhylaxProcess.newMasterKey();
    String newKey = PhylaxProcess.newMasterKey();
    Run before = phylax(env("PHYLAX_MASTER_KEY", oldKey), "keys", "status");
    assertThat(before.status()).as(before.err()).isZero();

    Run rotated =
        phylax(
            env("PHYLAX_MASTER_KEY", oldKey, "PHYLAX_NEW_MASTER_KEY", newKey),
            "keys",
            "rotate-master");
    Run withOld = phylax(env("PHYLAX_MASTER_KEY", oldKey), "keys", "status");
    Run withNew = phylax(env("PHYLAX_MASTER_KEY", newKey), "keys", "status");

    assertThat(rotated.status()).as(rotated.err()).isZero();
    assertThat(withOld.status()).isEqualTo(2);
    assertThat(withOld.err()).contains("master key does not open keyring");
    assertThat(withNew.status()).isZero();
    assertThat(group(PRIMARY, withNew.out())).isEqualTo(group(PRIMARY, before.out()));
    assertThat(withNew.out()).doesNotContain(oldKey).doesNotContain(newKey);
  }

  @Test
  void rotateThenRetireWhenOldKeyUnusedThenRemovedButThePrimaryCannotBe() throws Exception {
    Map<String, String> env = env("PHYLAX_MASTER_KEY", PhylaxProcess.newMasterKey());
    String first = group(PRIMARY, phylax(env, "keys", "status").out());
    Run rotate = phylax(env, "keys", "rotate");
    String second = group(Pattern.compile("new primary key (\\d+)"), rotate.out());

    Run retirePrimary = phylax(env, "keys", "retire", second);
    Run retireOld = phylax(env, "keys", "retire", first);
    Run status = phylax(env, "keys", "status");

    assertThat(second).isNotEqualTo(first);
    assertThat(retirePrimary.status()).isEqualTo(2);
    assertThat(retirePrimary.err().lines())
        .containsExactly(
            "phylax: invalid configuration: KEY_ID: key "
                + second
                + ": the primary key cannot be retired");
    assertThat(retireOld.status()).as(retireOld.err()).isZero();
    assertThat(status.out()).contains(second).doesNotContain(first);
  }

  @Test
  void keysWhenServerRunningThenUsesItsDatabase() throws Exception {
    String key = PhylaxProcess.newMasterKey();
    Map<String, String> env = env("PHYLAX_MASTER_KEY", key);
    int port = Integer.parseInt(env.get("PHYLAX_PORT"));
    try (PhylaxProcess server = PhylaxProcess.start(dir.resolve("server"), env, "serve")) {
      assertThat(server.awaitHealthy(port, Duration.ofSeconds(90))).isTrue();

      Run status = phylax(env, "keys", "status");
      Run rotate = phylax(env, "keys", "rotate");

      assertThat(status.status()).as(status.err()).isZero();
      assertThat(rotate.status()).as(rotate.err()).isZero();
      assertThat(server.isAlive()).isTrue();
      assertThat(server.awaitHealthy(port, Duration.ofSeconds(5))).isTrue();
    }
  }
}
