package org.phylax.cli;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Schedule;
import org.hl7.fhir.r4.model.Slot;
import org.phylax.access.Permit;
import org.phylax.access.SystemAccess;
import org.phylax.identity.Account;
import org.phylax.identity.Accounts;
import org.phylax.identity.Role;
import org.phylax.records.RecordStore;
import org.phylax.records.ScheduleDirectory;
import org.phylax.records.StoredResource;
import org.phylax.scheduling.SlotPlan;
import org.phylax.scheduling.WeeklyRule;
import org.springframework.context.ApplicationContext;

/**
 * Open time for the demo: the demo physician and nurse each get a Schedule with a room of their own
 * (in the server's scheduling zone) on the first run, and every run opens their free 20-minute
 * slots, Monday to Friday 09:00–12:00 and 13:00–16:00, up to {@link #WEEKS} weeks ahead, so that
 * the demo patient can book and the front desk has time to give.
 */
final class DemoSchedules {

  static final int WEEKS = 4;

  static final List<WeeklyRule> HOURS =
      List.of(
          new WeeklyRule(
              EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY),
              LocalTime.of(9, 0),
              LocalTime.of(12, 0),
              20),
          new WeeklyRule(
              EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY),
              LocalTime.of(13, 0),
              LocalTime.of(16, 0),
              20));

  private DemoSchedules() {}

  /** Returns how many slots this run opened. */
  static int ensure(ApplicationContext context) {
    Permit permit = context.getBean(SystemAccess.class).forTask("demo");
    RecordStore store = context.getBean(RecordStore.class);
    ScheduleDirectory directory = context.getBean(ScheduleDirectory.class);
    Accounts accounts = context.getBean(Accounts.class);
    ZoneId zone =
        ZoneId.of(
            context
                .getEnvironment()
                .getProperty("phylax.reminders.zone", ZoneId.systemDefault().getId()));
    int opened = 0;
    int room = 1;
    for (Role role : List.of(Role.PHYSICIAN, Role.NURSE)) {
      UUID practitioner =
          accounts.find(DemoUsers.username(role)).flatMap(Account::practitionerId).orElse(null);
      if (practitioner == null) {
        continue;
      }
      List<StoredResource> existing = directory.schedulesOf(permit, practitioner);
      UUID schedule =
          existing.isEmpty()
              ? create(store, permit, practitioner, zone, room)
              : existing.get(0).id();
      opened += open(store, permit, schedule, zone);
      room++;
    }
    return opened;
  }

  private static UUID create(
      RecordStore store, Permit permit, UUID practitioner, ZoneId zone, int room) {
    Location location = new Location();
    location.setName("Demo clinic, room " + room);
    location.setStatus(Location.LocationStatus.ACTIVE);
    location.addExtension(org.phylax.scheduling.TimeZones.EXTENSION, new CodeType(zone.getId()));
    UUID locationId = store.create(permit, location).id();
    Schedule schedule = new Schedule();
    schedule.setActive(true);
    schedule.addActor(new Reference("Practitioner/" + practitioner));
    schedule.addActor(new Reference("Location/" + locationId));
    schedule.addExtension(org.phylax.scheduling.TimeZones.EXTENSION, new CodeType(zone.getId()));
    return store.create(permit, schedule).id();
  }

  private static int open(RecordStore store, Permit permit, UUID schedule, ZoneId zone) {
    LocalDate tomorrow = LocalDate.now(zone).plusDays(1);
    List<SlotPlan.Planned> plan =
        SlotPlan.plan(HOURS, zone, tomorrow, tomorrow.plusWeeks(WEEKS), Set.of());
    if (plan.isEmpty()) {
      return 0;
    }
    Set<Instant> taken =
        store.slotStarts(
            schedule, plan.get(0).start(), plan.get(plan.size() - 1).start().plusSeconds(1));
    List<Resource> slots = new ArrayList<>();
    for (SlotPlan.Planned p : plan) {
      if (taken.contains(p.start())) {
        continue;
      }
      Slot slot = new Slot();
      slot.setSchedule(new Reference("Schedule/" + schedule));
      slot.setStatus(Slot.SlotStatus.FREE);
      slot.setStart(Date.from(p.start()));
      slot.setEnd(Date.from(p.end()));
      slots.add(slot);
    }
    if (!slots.isEmpty()) {
      store.createAll(permit, slots);
    }
    return slots.size();
  }
}
