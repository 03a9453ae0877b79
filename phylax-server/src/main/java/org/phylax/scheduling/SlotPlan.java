package org.phylax.scheduling;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Plans the slots that weekly rules open over a range of dates, in a schedule's IANA time zone, as
 * UTC instants.
 *
 * <p>Daylight saving: a slot is its local start, read in the zone, plus its length in real minutes.
 * A local start that does not exist (the hour skipped when clocks spring forward) opens no slot; it
 * is not moved, since a patient booked "at 02:30" would arrive at a time nobody offered. A local
 * start that occurs twice (the hour repeated when clocks fall back) opens one slot, at its first
 * occurrence, so the repeated hour is offered once and no two slots overlap. A slot is kept only
 * when its local end is at or before the rule's end on that day.
 */
public final class SlotPlan {

  /** The most days one plan may cover (a little over a year), to bound the work of one call. */
  public static final int MAX_DAYS = 400;

  /** One planned slot, {@code [start, end)}. */
  public record Planned(Instant start, Instant end) {}

  private SlotPlan() {}

  /**
   * The slots of {@code rules} on the days from {@code from} to {@code to} (both inclusive) other
   * than {@code daysOff}, ordered by start; slots two rules open at the same time are given once.
   *
   * @throws IllegalArgumentException when the range is empty or longer than {@link #MAX_DAYS}
   */
  public static List<Planned> plan(
      List<WeeklyRule> rules, ZoneId zone, LocalDate from, LocalDate to, Set<LocalDate> daysOff) {
    if (from == null || to == null || to.isBefore(from)) {
      throw new IllegalArgumentException("the range of dates ends on or after its first day");
    }
    if (from.plusDays(MAX_DAYS).isBefore(to.plusDays(1))) {
      throw new IllegalArgumentException("one plan covers at most " + MAX_DAYS + " days");
    }
    TreeSet<Planned> out =
        new TreeSet<>(Comparator.comparing(Planned::start).thenComparing(Planned::end));
    for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
      if (daysOff.contains(day)) {
        continue;
      }
      for (WeeklyRule rule : rules) {
        if (!rule.days().contains(day.getDayOfWeek())) {
          continue;
        }
        for (LocalTime t = rule.start();
            // the second condition stops a slot that would run past midnight
            !t.plusMinutes(rule.minutes()).isAfter(rule.end())
                && t.plusMinutes(rule.minutes()).isAfter(t);
            t = t.plusMinutes(rule.minutes())) {
          LocalDateTime local = LocalDateTime.of(day, t);
          if (zone.getRules().getValidOffsets(local).isEmpty()) {
            continue; // skipped by a spring-forward change
          }
          // ZonedDateTime.of takes the earlier offset of a repeated local time.
          Instant start = ZonedDateTime.of(local, zone).toInstant();
          out.add(new Planned(start, start.plus(Duration.ofMinutes(rule.minutes()))));
        }
      }
    }
    return new ArrayList<>(out);
  }
}
