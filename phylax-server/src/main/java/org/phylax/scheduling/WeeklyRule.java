package org.phylax.scheduling;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.EnumSet;
import java.util.Set;

/**
 * One weekly opening of a schedule: on these days, from {@code start} to {@code end} local time, in
 * slots of {@code minutes} (the last slot ends at or before {@code end}). Local times are read in
 * the schedule's time zone when slots are planned, never here.
 */
public record WeeklyRule(Set<DayOfWeek> days, LocalTime start, LocalTime end, int minutes) {

  /** The longest slot a rule may ask for: a working day. */
  public static final int MAX_MINUTES = 12 * 60;

  public WeeklyRule {
    if (days == null || days.isEmpty()) {
      throw new IllegalArgumentException("a weekly rule names at least one day of the week");
    }
    if (start == null || end == null || !end.isAfter(start)) {
      throw new IllegalArgumentException("a weekly rule ends after it starts, on the same day");
    }
    if (minutes < 1 || minutes > MAX_MINUTES) {
      throw new IllegalArgumentException(
          "a weekly rule's slots last from 1 to " + MAX_MINUTES + " minutes");
    }
    days = Set.copyOf(EnumSet.copyOf(days));
  }
}
