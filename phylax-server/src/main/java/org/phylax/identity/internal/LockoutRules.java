package org.phylax.identity.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.phylax.platform.ConfigurationProblem;

/**
 * {@code maxFailures} failed attempts within {@code window} lock an account for {@code duration}.
 * Set by {@code phylax.identity.lockout.max-failures}, {@code .window} and {@code .duration}.
 */
record LockoutRules(int maxFailures, Duration window, Duration duration) {

  static final LockoutRules DEFAULT =
      new LockoutRules(5, Duration.ofMinutes(15), Duration.ofMinutes(15));

  LockoutRules {
    List<String> problems = new ArrayList<>();
    if (maxFailures < 1 || maxFailures > 1000) {
      problems.add("phylax.identity.lockout.max-failures: must be between 1 and 1000");
    }
    if (window == null || window.isNegative() || window.isZero()) {
      problems.add("phylax.identity.lockout.window: must be a positive duration (e.g. 15m)");
    }
    if (duration == null || duration.isNegative() || duration.isZero()) {
      problems.add("phylax.identity.lockout.duration: must be a positive duration (e.g. 15m)");
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationProblem(problems);
    }
  }
}
