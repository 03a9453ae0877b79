package org.phylax.web.internal;

import java.time.Duration;

/** Durations as people read them in audit reasons: {@code 15m}, {@code 12h}, {@code 90s}. */
final class Durations {

  private Durations() {}

  static String text(Duration d) {
    long seconds = d.toSeconds();
    if (seconds % 3600 == 0) {
      return seconds / 3600 + "h";
    }
    if (seconds % 60 == 0) {
      return seconds / 60 + "m";
    }
    return seconds + "s";
  }
}
