package org.phylax.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.platform.PhylaxSettings.Profile;

class PhylaxSettingsTests {

  @TempDir Path dir;

  private Map<String, String> base() {
    return Map.of("PHYLAX_DATA_DIR", dir.resolve("data").toString());
  }

  private static Map<String, String> with(Map<String, String> base, String... keyValues) {
    var map = new java.util.HashMap<>(base);
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put(keyValues[i], keyValues[i + 1]);
    }
    return map;
  }

  @Test
  void loadWhenNothingSetThenDefaultsApply() {
    PhylaxSettings settings = PhylaxSettings.of(base(), Profile.DEV);

    assertThat(settings.port()).isEqualTo(8080);
    assertThat(settings.profile()).isEqualTo(Profile.DEV);
    assertThat(settings.logFormat()).isEqualTo(PhylaxSettings.LogFormat.TEXT);
    assertThat(settings.externalDatabase()).isEmpty();
    assertThat(settings.dataDir()).isDirectory().isAbsolute();
  }

  @Test
  void loadWhenPortIsNotANumberThenNamesTheSetting() {
    assertThatThrownBy(() -> PhylaxSettings.of(with(base(), "PHYLAX_PORT", "abc"), Profile.DEV))
        .isInstanceOf(ConfigurationProblem.class)
        .hasMessage("PHYLAX_PORT: 'abc' is not a port number (1-65535)");
  }

  @Test
  void loadWhenPortOutOfRangeThenRefuses() {
    assertThatThrownBy(() -> PhylaxSettings.of(with(base(), "PHYLAX_PORT", "70000"), Profile.DEV))
        .hasMessageContaining("PHYLAX_PORT: '70000'");
  }

  @Test
  void loadWhenSeveralRulesBrokenThenListsEveryOneInOneLine() {
    Map<String, String> values =
        with(
            base(),
            "PHYLAX_PORT",
            "0",
            "PHYLAX_PROFILE",
            "staging",
            "PHYLAX_LOG_FORMAT",
            "xml",
            "PHYLAX_DB_URL",
            "mysql://db/x");

    assertThatThrownBy(() -> PhylaxSettings.of(values, Profile.DEV))
        .isInstanceOfSatisfying(
            ConfigurationProblem.class,
            p -> {
              assertThat(p.problems())
                  .hasSize(4)
                  .anySatisfy(s -> assertThat(s).startsWith("PHYLAX_PORT:"))
                  .anySatisfy(s -> assertThat(s).startsWith("PHYLAX_PROFILE:"))
                  .anySatisfy(s -> assertThat(s).startsWith("PHYLAX_LOG_FORMAT:"))
                  .anySatisfy(s -> assertThat(s).startsWith("PHYLAX_DB_URL:"));
              assertThat(p.getMessage()).doesNotContain("\n");
            });
  }

  @Test
  void loadWhenDataDirCannotBeCreatedThenRefuses() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "x");

    assertThatThrownBy(
            () ->
                PhylaxSettings.of(
                    Map.of("PHYLAX_DATA_DIR", file.resolve("data").toString()), Profile.DEV))
        .hasMessageStartingWith("PHYLAX_DATA_DIR: " + file.resolve("data"))
        .hasMessageContaining("is not a writable directory");
  }

  @Test
  void loadWhenDbUserWithoutUrlThenRefuses() {
    assertThatThrownBy(() -> PhylaxSettings.of(with(base(), "PHYLAX_DB_USER", "x"), Profile.DEV))
        .hasMessageStartingWith("PHYLAX_DB_USER: is set but PHYLAX_DB_URL is not");
  }

  @Test
  void loadWhenDbUrlWithoutUserThenRefuses() {
    assertThatThrownBy(
            () ->
                PhylaxSettings.of(
                    with(base(), "PHYLAX_DB_URL", "jdbc:postgresql://127.0.0.1:5432/x"),
                    Profile.DEV))
        .hasMessage("PHYLAX_DB_USER: is required with PHYLAX_DB_URL");
  }

  @Test
  void loadWhenExternalDatabaseThenToStringHidesThePassword() {
    PhylaxSettings settings =
        PhylaxSettings.of(
            with(
                base(),
                "PHYLAX_DB_URL",
                "jdbc:postgresql://db.internal:6543/records",
                "PHYLAX_DB_USER",
                "phylax",
                "PHYLAX_DB_PASSWORD",
                "s3cret-Password"),
            Profile.DEV);

    ExternalDatabase db = settings.externalDatabase().orElseThrow();
    assertThat(db.location()).isEqualTo("db.internal:6543/records");
    assertThat(settings.toString()).contains("db.internal:6543/records").doesNotContain("s3cret");
  }

  @Test
  void loadWhenProdAndRemoteDatabaseWithoutTlsThenRefusesButDevAllows() {
    Map<String, String> values =
        with(
            base(),
            "PHYLAX_DB_URL",
            "jdbc:postgresql://db.internal:5432/records",
            "PHYLAX_DB_USER",
            "phylax",
            "PHYLAX_MASTER_KEY",
            PhylaxProcess.newMasterKey());

    assertThat(PhylaxSettings.of(values, Profile.DEV).profile()).isEqualTo(Profile.DEV);
    assertThatThrownBy(() -> PhylaxSettings.of(values, Profile.PROD))
        .hasMessageContaining("PHYLAX_DB_URL: in the prod profile")
        .hasMessageContaining("TLS");
    assertThat(
            PhylaxSettings.of(
                    with(
                        values,
                        "PHYLAX_DB_URL",
                        "jdbc:postgresql://db.internal:5432/records?sslmode=verify-full"),
                    Profile.PROD)
                .profile())
        .isEqualTo(Profile.PROD);
  }

  @Test
  void loadWhenProdWithoutMasterKeyThenRefuses() {
    assertThatThrownBy(() -> PhylaxSettings.of(base(), Profile.PROD))
        .hasMessageStartingWith("PHYLAX_MASTER_KEY: the prod profile needs a master key");
  }

  @Test
  void loadWhenMasterKeyIsKmsUriThenAccepted() {
    String uri = "aws-kms://arn:aws:kms:us-east-1:123456789012:key/synthetic-key-id";

    assertThat(PhylaxSettings.of(with(base(), "PHYLAX_MASTER_KEY", uri), Profile.PROD).masterKey())
        .hasValue(uri);
  }

  @Test
  void loadWhenMasterKeyIsNot32BytesThenRefusesWithoutEchoingIt() {
    String shortKey = Base64.getEncoder().encodeToString(new byte[16]);

    assertThatThrownBy(
            () -> PhylaxSettings.of(with(base(), "PHYLAX_MASTER_KEY", shortKey), Profile.DEV))
        .hasMessageStartingWith("PHYLAX_MASTER_KEY: must be the base64 encoding of 32 random bytes")
        .message()
        .doesNotContain(shortKey);
  }

  @Test
  void loadWhenKeysInApplicationYmlThenTheyApplyAndEnvironmentWins() throws Exception {
    Files.writeString(
        dir.resolve("application.yml"),
        "PHYLAX_PORT: 9123\nphylax:\n  log-format: json\n  data-dir: "
            + dir.resolve("from-yaml")
            + "\n");

    PhylaxSettings fromFile = PhylaxSettings.load(Map.of(), dir, Profile.DEV);
    PhylaxSettings envWins = PhylaxSettings.load(Map.of("PHYLAX_PORT", "9124"), dir, Profile.DEV);

    assertThat(fromFile.port()).isEqualTo(9123);
    assertThat(fromFile.logFormat()).isEqualTo(PhylaxSettings.LogFormat.JSON);
    assertThat(fromFile.dataDir()).isEqualTo(dir.resolve("from-yaml"));
    assertThat(envWins.port()).isEqualTo(9124);
  }

  @Test
  void loadIgnoresEnvironmentVariablesThatAreNotPhylaxSettings() {
    PhylaxSettings settings =
        PhylaxSettings.load(
            with(
                base(),
                "SERVER_PORT",
                "abc",
                "PATH",
                "/bin",
                "PHYLAX_MASTER_KEY",
                PhylaxProcess.newMasterKey()),
            dir,
            Profile.PROD);

    assertThat(settings.port()).isEqualTo(8080);
    assertThat(settings.profile()).isEqualTo(Profile.PROD);
  }
}
