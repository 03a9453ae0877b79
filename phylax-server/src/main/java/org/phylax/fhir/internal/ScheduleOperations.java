package org.phylax.fhir.internal;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Schedule;
import org.hl7.fhir.r4.model.Slot;
import org.phylax.access.AccessAction;
import org.phylax.access.Permit;
import org.phylax.records.StoredResource;
import org.phylax.scheduling.SlotPlan;
import org.phylax.scheduling.WeeklyRule;

/**
 * {@code POST /fhir/Schedule/{id}/$generate-slots}: opens free Slots on a Schedule from weekly
 * rules over a range of dates, in the Schedule's IANA time zone, leaving out days off. Running it
 * again for the same range adds no Slot twice. The Schedule's own practitioner and the front desk
 * may; the gate decides (and audits) with the Schedule's practitioners named in the request.
 */
final class ScheduleOperations {

  static final String TIME_ZONE = "http://hl7.org/fhir/StructureDefinition/timezone";

  private static final Pattern PRACTITIONER =
      Pattern.compile(
          "Practitioner/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})");

  private final RecordAccess access;
  private final ResourceBodies bodies;
  private final FhirCallers callers;

  ScheduleOperations(RecordAccess access, ResourceBodies bodies, FhirCallers callers) {
    this.access = access;
    this.bodies = bodies;
    this.callers = callers;
  }

  /** What the Parameters body asks for; holds no PHI. */
  private record Request(
      LocalDate from, LocalDate to, List<WeeklyRule> rules, Set<LocalDate> daysOff) {}

  @Operation(name = "$generate-slots", type = Schedule.class, manualRequest = true)
  public Parameters generate(
      @IdParam IdType id, RequestDetails details, HttpServletRequest request) {
    UUID scheduleId = FhirTypes.uuid(id.getIdPart());
    if (scheduleId == null) {
      throw new Outcomes.Failure(404, IssueType.NOTFOUND, "Schedule ids here are UUIDs.");
    }
    Parameters body =
        (Parameters)
            bodies.parse(
                request.getContentType(),
                new String(details.loadRequestContents(), StandardCharsets.UTF_8),
                "Parameters");
    Request asked = parse(body);
    FhirCallers.Caller caller = callers.current(request);
    Permit read = access.enter(caller, AccessAction.READ, "Schedule", scheduleId, null);
    Schedule schedule = (Schedule) access.store().read(read, "Schedule", scheduleId).resource();
    ZoneId zone = zoneOf(schedule);
    Set<UUID> practitioners = new HashSet<>();
    for (Reference actor : schedule.getActor()) {
      Matcher m = PRACTITIONER.matcher(String.valueOf(actor.getReference()));
      if (m.matches()) {
        practitioners.add(UUID.fromString(m.group(1)));
      }
    }
    Permit write =
        access
            .gate()
            .enter(
                RecordAccess.request(caller, AccessAction.CREATE, "Slot", null)
                    .scheduleOf(practitioners)
                    .build());
    List<SlotPlan.Planned> planned =
        SlotPlan.plan(asked.rules(), zone, asked.from(), asked.to(), asked.daysOff());
    int existing = 0;
    List<Slot> slots = new ArrayList<>();
    if (!planned.isEmpty()) {
      Set<Instant> taken =
          access
              .store()
              .slotStarts(
                  scheduleId,
                  planned.get(0).start(),
                  planned.get(planned.size() - 1).start().plusSeconds(1));
      for (SlotPlan.Planned p : planned) {
        if (taken.contains(p.start())) {
          existing++;
          continue;
        }
        Slot slot = new Slot();
        slot.setSchedule(new Reference("Schedule/" + scheduleId));
        slot.setStatus(Slot.SlotStatus.FREE);
        slot.setStart(Date.from(p.start()));
        slot.setEnd(Date.from(p.end()));
        slot.setServiceType(schedule.getServiceType());
        slots.add(slot);
      }
    }
    List<StoredResource> created =
        slots.isEmpty() ? List.of() : access.store().createAll(write, slots);
    Parameters out = new Parameters();
    out.addParameter("created", created.size());
    out.addParameter("existing", existing);
    return out;
  }

  /**
   * The Schedule's IANA zone; 422 without a valid one (a Schedule stored before it was required).
   */
  static ZoneId zoneOf(Schedule schedule) {
    Extension zone = schedule.getExtensionByUrl(TIME_ZONE);
    String code = zone == null || zone.getValue() == null ? null : zone.getValue().primitiveValue();
    if (code == null || !ZoneId.getAvailableZoneIds().contains(code)) {
      throw new Outcomes.Failure(
          422,
          IssueType.PROCESSING,
          "The Schedule has no valid IANA time zone in the extension " + TIME_ZONE + ".");
    }
    return ZoneId.of(code);
  }

  private static Request parse(Parameters body) {
    LocalDate from = null;
    LocalDate to = null;
    List<WeeklyRule> rules = new ArrayList<>();
    Set<LocalDate> daysOff = new LinkedHashSet<>();
    for (ParametersParameterComponent p : body.getParameter()) {
      switch (String.valueOf(p.getName())) {
        case "start" -> from = date(p, "start");
        case "end" -> to = date(p, "end");
        case "dayOff" -> daysOff.add(date(p, "dayOff"));
        case "rule" -> rules.add(rule(p));
        default -> throw bad("unknown parameter " + quoted(p.getName()));
      }
    }
    if (from == null || to == null || rules.isEmpty()) {
      throw bad("start, end (dates) and at least one rule are required");
    }
    if (to.isBefore(from) || from.plusDays(SlotPlan.MAX_DAYS).isBefore(to.plusDays(1))) {
      throw bad("end must be on or after start, at most " + SlotPlan.MAX_DAYS + " days in all");
    }
    return new Request(from, to, rules, daysOff);
  }

  private static WeeklyRule rule(ParametersParameterComponent rule) {
    Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    LocalTime start = null;
    LocalTime end = null;
    Integer minutes = null;
    for (ParametersParameterComponent part : rule.getPart()) {
      String value = part.getValue() == null ? null : part.getValue().primitiveValue();
      if (value == null) {
        throw bad("rule." + quoted(part.getName()) + " has no value");
      }
      switch (String.valueOf(part.getName())) {
        case "day" -> days.add(day(value));
        case "start" -> start = time(value, "rule.start");
        case "end" -> end = time(value, "rule.end");
        case "minutes" -> minutes = number(value);
        default -> throw bad("unknown part rule." + quoted(part.getName()));
      }
    }
    if (days.isEmpty() || start == null || end == null || minutes == null) {
      throw bad("a rule has one or more day, and start, end and minutes");
    }
    try {
      return new WeeklyRule(days, start, end, minutes);
    } catch (IllegalArgumentException e) {
      throw bad(e.getMessage());
    }
  }

  private static DayOfWeek day(String code) {
    return switch (code.toLowerCase(Locale.ROOT)) {
      case "mon" -> DayOfWeek.MONDAY;
      case "tue" -> DayOfWeek.TUESDAY;
      case "wed" -> DayOfWeek.WEDNESDAY;
      case "thu" -> DayOfWeek.THURSDAY;
      case "fri" -> DayOfWeek.FRIDAY;
      case "sat" -> DayOfWeek.SATURDAY;
      case "sun" -> DayOfWeek.SUNDAY;
      default -> throw bad("rule.day is one of mon, tue, wed, thu, fri, sat, sun");
    };
  }

  private static LocalDate date(ParametersParameterComponent p, String name) {
    String value = p.getValue() == null ? null : p.getValue().primitiveValue();
    try {
      return LocalDate.parse(String.valueOf(value));
    } catch (DateTimeException e) {
      throw bad(name + " must be a date (YYYY-MM-DD)");
    }
  }

  private static LocalTime time(String value, String name) {
    try {
      return LocalTime.parse(value);
    } catch (DateTimeException e) {
      throw bad(name + " must be a time (hh:mm:ss)");
    }
  }

  private static int number(String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw bad("rule.minutes must be a whole number");
    }
  }

  private static String quoted(String name) {
    String n = String.valueOf(name);
    return n.matches("[A-Za-z0-9_.-]{1,40}") ? n : "(unreadable name)";
  }

  private static Outcomes.Failure bad(String message) {
    return new Outcomes.Failure(400, IssueType.INVALID, "$generate-slots: " + message + ".");
  }
}
