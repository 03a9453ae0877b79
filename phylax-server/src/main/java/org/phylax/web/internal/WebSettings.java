package org.phylax.web.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.phylax.platform.ConfigurationProblem;

/**
 * How long web sessions live: {@code idleTimeout} without a request ({@code
 * phylax.web.idle-timeout}, 15 minutes), {@code absoluteTimeout} after sign-in whatever the
 * activity ({@code phylax.web.absolute-timeout}, 12 hours), and how often a session re-reads its
 * account's status ({@code phylax.web.account-recheck}, 30 seconds, at most one minute, so that a
 * disabled or locked account loses its sessions within a minute).
 */
record WebSettings(Duration idleTimeout, Duration absoluteTimeout, Duration accountRecheck) {

  WebSettings {
    List<String> problems = new ArrayList<>();
    if (!positive(idleTimeout)) {
      problems.add("phylax.web.idle-timeout: must be a positive duration (e.g. 15m)");
    }
    if (!positive(absoluteTimeout)) {
      problems.add("phylax.web.absolute-timeout: must be a positive duration (e.g. 12h)");
    } else if (positive(idleTimeout) && absoluteTimeout.compareTo(idleTimeout) < 0) {
      problems.add("phylax.web.absolute-timeout: must not be shorter than phylax.web.idle-timeout");
    }
    if (!positive(accountRecheck) || accountRecheck.compareTo(Duration.ofMinutes(1)) > 0) {
      problems.add("phylax.web.account-recheck: must be a positive duration of at most 1m");
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationProblem(problems);
    }
  }

  private static boolean positive(Duration d) {
    return d != null && !d.isNegative() && !d.isZero();
  }
}
