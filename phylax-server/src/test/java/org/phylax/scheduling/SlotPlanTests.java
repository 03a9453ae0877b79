package org.phylax.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SlotPlanTests {

  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  private static final WeeklyRule WEEKDAY_MORNINGS =
      new WeeklyRule(
          EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY),
          LocalTime.of(9, 0),
          LocalTime.of(12, 0),
          20);

  @Test
  void planWhenWeekdayMorningsOverOrdinaryWeekThenFortyFiveSlotsAtTheZonesOffset() {
    List<SlotPlan.Planned> slots =
        SlotPlan.plan(
            List.of(WEEKDAY_MORNINGS),
            NEW_YORK,
            LocalDate.of(2027, 4, 12),
            LocalDate.of(2027, 4, 18),
            Set.of());

    assertThat(slots).hasSize(45);
    assertThat(slots.get(0).start()).isEqualTo(Instant.parse("2027-04-12T13:00:00Z"));
    assertThat(slots.get(0).end()).isEqualTo(Instant.parse("2027-04-12T13:20:00Z"));
    assertThat(slots.get(8).start()).isEqualTo(Instant.parse("2027-04-12T15:40:00Z"));
    assertThat(slots.get(44).end()).isEqualTo(Instant.parse("2027-04-16T16:00:00Z"));
  }

  @Test
  void planWhenWeekSpansSpringForwardThenUtcStartsMoveAnHourEarlier() {
    // Thursday 2027-03-11 to Tuesday 2027-03-16; clocks go forward on Sunday the 14th.
    List<SlotPlan.Planned> slots =
        SlotPlan.plan(
            List.of(WEEKDAY_MORNINGS),
            NEW_YORK,
            LocalDate.of(2027, 3, 11),
            LocalDate.of(2027, 3, 16),
            Set.of());

    assertThat(slots).hasSize(36);
    assertThat(slots)
        .first()
        .extracting(SlotPlan.Planned::start)
        .isEqualTo(Instant.parse("2027-03-11T14:00:00Z"));
    assertThat(slots.get(18).start()).isEqualTo(Instant.parse("2027-03-15T13:00:00Z"));
  }

  @Test
  void planWhenWeekSpansFallBackThenUtcStartsMoveAnHourLater() {
    List<SlotPlan.Planned> slots =
        SlotPlan.plan(
            List.of(WEEKDAY_MORNINGS),
            NEW_YORK,
            LocalDate.of(2027, 11, 4),
            LocalDate.of(2027, 11, 9),
            Set.of());

    assertThat(slots).hasSize(36);
    assertThat(slots.get(0).start()).isEqualTo(Instant.parse("2027-11-04T13:00:00Z"));
    assertThat(slots.get(18).start()).isEqualTo(Instant.parse("2027-11-08T14:00:00Z"));
  }

  @Test
  void planWhenRuleCoversTheSkippedHourThenItsSlotsAreLeftOut() {
    WeeklyRule night =
        new WeeklyRule(EnumSet.of(DayOfWeek.SUNDAY), LocalTime.of(1, 0), LocalTime.of(4, 0), 30);
    LocalDate springForward = LocalDate.of(2027, 3, 14);

    List<SlotPlan.Planned> slots =
        SlotPlan.plan(List.of(night), NEW_YORK, springForward, springForward, Set.of());

    // 02:00 and 02:30 do not exist that night.
    assertThat(slots)
        .extracting(SlotPlan.Planned::start)
        .containsExactly(
            Instant.parse("2027-03-14T06:00:00Z"),
            Instant.parse("2027-03-14T06:30:00Z"),
            Instant.parse("2027-03-14T07:00:00Z"),
            Instant.parse("2027-03-14T07:30:00Z"));
  }

  @Test
  void planWhenRuleCoversTheRepeatedHourThenItIsOfferedOnceWithoutOverlap() {
    WeeklyRule night =
        new WeeklyRule(EnumSet.of(DayOfWeek.SUNDAY), LocalTime.of(1, 0), LocalTime.of(3, 0), 30);
    LocalDate fallBack = LocalDate.of(2027, 11, 7);

    List<SlotPlan.Planned> slots =
        SlotPlan.plan(List.of(night), NEW_YORK, fallBack, fallBack, Set.of());

    // 01:00 and 01:30 at their first occurrence (EDT, -04:00), 02:00 and 02:30 in EST (-05:00).
    assertThat(slots)
        .extracting(SlotPlan.Planned::start)
        .containsExactly(
            Instant.parse("2027-11-07T05:00:00Z"),
            Instant.parse("2027-11-07T05:30:00Z"),
            Instant.parse("2027-11-07T07:00:00Z"),
            Instant.parse("2027-11-07T07:30:00Z"));
    for (SlotPlan.Planned slot : slots) {
      assertThat(slot.end()).isEqualTo(slot.start().plusSeconds(30 * 60));
    }
  }

  @Test
  void planWhenDayOffThenThatDayHasNoSlots() {
    LocalDate monday = LocalDate.of(2027, 4, 12);

    List<SlotPlan.Planned> slots =
        SlotPlan.plan(
            List.of(WEEKDAY_MORNINGS), NEW_YORK, monday, monday.plusDays(6), Set.of(monday));

    assertThat(slots).hasSize(36);
    assertThat(slots.get(0).start()).isEqualTo(Instant.parse("2027-04-13T13:00:00Z"));
  }

  @Test
  void ruleWhenEndNotAfterStartOrSlotTooLongThenRefused() {
    assertThatThrownBy(
            () ->
                new WeeklyRule(
                    EnumSet.of(DayOfWeek.MONDAY), LocalTime.of(12, 0), LocalTime.of(9, 0), 20))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new WeeklyRule(Set.of(), LocalTime.of(9, 0), LocalTime.of(12, 0), 20))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                SlotPlan.plan(
                    List.of(WEEKDAY_MORNINGS),
                    NEW_YORK,
                    LocalDate.of(2027, 1, 1),
                    LocalDate.of(2029, 1, 1),
                    Set.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
