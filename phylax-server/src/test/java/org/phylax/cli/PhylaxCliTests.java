package org.phylax.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PhylaxCliTests {

  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(Map<String, String> env, String... args) {
    return PhylaxCli.execute(
        args,
        env,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void helpWhenAskedThenListsTheCommandsAndExitsZero() {
    assertThat(run(Map.of(), "--help")).isZero();

    assertThat(out())
        .contains("Usage: phylax")
        .containsPattern("(?m)^\\s+serve\\s")
        .containsPattern("(?m)^\\s+demo\\s");
  }

  @Test
  void commandWhenUnknownThenOneLineAndExitTwo() {
    assertThat(run(Map.of(), "frobnicate")).isEqualTo(2);

    assertThat(err())
        .isEqualTo(
            "phylax: unknown command 'frobnicate' (see ./phylax --help)" + System.lineSeparator());
    assertThat(out()).isEmpty();
  }

  @Test
  void commandWhenMissingThenOneLineAndExitTwo() {
    assertThat(run(Map.of())).isEqualTo(2);

    assertThat(err().lines())
        .containsExactly("phylax: a command is required (see ./phylax --help)");
  }

  @Test
  void serveWhenUnknownOptionThenOneLineAndExitTwo() {
    assertThat(run(Map.of(), "serve", "--fast")).isEqualTo(2);

    assertThat(err().lines()).singleElement().asString().contains("'--fast'");
  }

  @Test
  void serveWhenConfigurationInvalidThenNamesEverySettingOnOneLineAndExitsTwo() {
    Map<String, String> env =
        Map.of(
            "PHYLAX_PORT", "abc",
            "PHYLAX_PROFILE", "qa",
            "PHYLAX_DATA_DIR", dir.resolve("data").toString());

    assertThat(run(env, "serve")).isEqualTo(2);

    assertThat(err().lines())
        .singleElement()
        .asString()
        .startsWith("phylax: invalid configuration: ")
        .contains("PHYLAX_PORT: 'abc' is not a port number")
        .contains("PHYLAX_PROFILE: 'qa' is not a profile");
  }

  @Test
  void versionWhenAskedThenPrintsIt() {
    assertThat(run(Map.of(), "--version")).isZero();

    assertThat(out()).startsWith("phylax ");
  }
}
