package org.phylax.web.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.phylax.platform.ConfigurationProblem;

class WebSettingsTests {

  @Test
  void settingsWhenDefaultsThenAccepted() {
    WebSettings settings =
        new WebSettings(Duration.ofMinutes(15), Duration.ofHours(12), Duration.ofSeconds(30));
    assertThat(settings.idleTimeout()).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void settingsWhenEachIsOutOfRangeThenOneLineNamingEverySetting() {
    assertThatThrownBy(
            () -> new WebSettings(Duration.ZERO, Duration.ofSeconds(-1), Duration.ofMinutes(2)))
        .isInstanceOf(ConfigurationProblem.class)
        .hasMessage(
            "phylax.web.idle-timeout: must be a positive duration (e.g. 15m);"
                + " phylax.web.absolute-timeout: must be a positive duration (e.g. 12h);"
                + " phylax.web.account-recheck: must be a positive duration of at most 1m");
  }

  @Test
  void settingsWhenAbsoluteShorterThanIdleThenRefused() {
    assertThatThrownBy(
            () ->
                new WebSettings(
                    Duration.ofHours(1), Duration.ofMinutes(30), Duration.ofSeconds(30)))
        .isInstanceOf(ConfigurationProblem.class)
        .hasMessage(
            "phylax.web.absolute-timeout: must not be shorter than phylax.web.idle-timeout");
  }
}
