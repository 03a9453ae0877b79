package org.phylax.web.internal.scheduling;

import jakarta.servlet.http.HttpServletRequest;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAdjusters;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.phylax.access.Subject;
import org.phylax.identity.Role;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The workforce's schedule page ({@code /schedule}): a week of a Schedule's appointments in its
 * zone, with patient names and statuses. A physician or nurse whose account is linked to a
 * Practitioner sees their own schedules and moves appointments along (booked → arrived → fulfilled,
 * or no-show); the front desk chooses any practitioner's schedule, books a free slot for a patient
 * found by identifier or name, and cancels with a reason. Everyone else (administrators included:
 * they handle no PHI) gets 403. Every read and write passes the access gate as over FHIR.
 */
@Controller
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class WorkforceScheduleController {

  static final String NOT_FOR_YOU =
      "The schedule pages are for physicians and nurses linked to a Practitioner, and for the"
          + " front desk.";
  static final String NOT_YOURS = "A practitioner sees only their own schedule.";
  static final String DESK_ONLY = "Booking for a patient is the front desk's work.";

  private static final DateTimeFormatter WEEK =
      DateTimeFormatter.ofPattern("d MMM yyyy", Locale.ENGLISH);

  private final SchedulingDesk desk;
  private final PageCallers callers;

  WorkforceScheduleController(SchedulingDesk desk, PageCallers callers) {
    this.desk = desk;
    this.callers = callers;
  }

  /** Who may use the page, and how. */
  private enum Mode {
    FRONT_DESK,
    PRACTITIONER
  }

  @GetMapping("/schedule")
  String week(
      @RequestParam(required = false) UUID schedule,
      @RequestParam(required = false) String week,
      @RequestParam(required = false) String done,
      Authentication authentication,
      HttpServletRequest request,
      Model model) {
    SchedulingDesk.Caller caller = callers.of(authentication, request);
    Mode mode = modeOf(caller.subject());
    List<Views.ScheduleItem> choices =
        mode == Mode.FRONT_DESK
            ? desk.schedules(caller)
            : desk.schedulesOf(caller, caller.subject().practitionerId().orElseThrow());
    model.addAttribute("desk", mode == Mode.FRONT_DESK);
    model.addAttribute("schedules", choices);
    model.addAttribute("reasons", Statuses.WORKFORCE_REASONS);
    model.addAttribute("notice", notice(done));
    UUID chosen = schedule;
    if (chosen == null && mode == Mode.PRACTITIONER && !choices.isEmpty()) {
      chosen = choices.get(0).getId();
    }
    if (chosen == null) {
      return "schedule";
    }
    UUID id = chosen;
    if (mode == Mode.PRACTITIONER && choices.stream().noneMatch(c -> c.getId().equals(id))) {
      throw new PageProblem(403, NOT_YOURS);
    }
    SchedulingDesk.Chosen s =
        desk.schedule(caller, chosen)
            .orElseThrow(() -> new PageProblem(404, "There is no such schedule."));
    ZoneId zone = desk.zoneOf(s.schedule());
    LocalDate monday = day(week, zone).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
    Instant from = monday.atStartOfDay(zone).toInstant();
    Instant to = monday.plusDays(7).atStartOfDay(zone).toInstant();
    model.addAttribute("schedule", s.item());
    model.addAttribute("week", monday.toString());
    model.addAttribute("weekLabel", WEEK.format(monday) + " – " + WEEK.format(monday.plusDays(6)));
    model.addAttribute("previousWeek", monday.minusWeeks(1).toString());
    model.addAttribute("nextWeek", monday.plusWeeks(1).toString());
    model.addAttribute("appointments", desk.appointmentsOfSchedule(caller, s.schedule(), from, to));
    if (mode == Mode.FRONT_DESK) {
      Instant now = desk.now();
      model.addAttribute(
          "days",
          to.isAfter(now) ? desk.freeSlots(caller, s.schedule(), max(from, now), to) : List.of());
    }
    return "schedule";
  }

  @PostMapping("/schedule/appointments/{id}/status")
  String move(
      @PathVariable UUID id,
      @RequestParam String status,
      @RequestParam UUID schedule,
      @RequestParam String week,
      Authentication authentication,
      HttpServletRequest request) {
    SchedulingDesk.Caller caller = callers.of(authentication, request);
    modeOf(caller.subject());
    try {
      desk.move(caller, id, status);
    } catch (IllegalStateException e) {
      throw new PageProblem(409, e.getMessage());
    }
    return back(schedule, week, "status");
  }

  @PostMapping("/schedule/appointments/{id}/cancel")
  String cancel(
      @PathVariable UUID id,
      @RequestParam(defaultValue = "") String reason,
      @RequestParam UUID schedule,
      @RequestParam String week,
      Authentication authentication,
      HttpServletRequest request) {
    SchedulingDesk.Caller caller = callers.of(authentication, request);
    modeOf(caller.subject());
    try {
      desk.cancel(caller, id, reason, Statuses.WORKFORCE_REASONS);
    } catch (IllegalStateException e) {
      throw new PageProblem(409, e.getMessage());
    }
    return back(schedule, week, "cancelled");
  }

  /** The front desk's booking page for one slot: find the patient. */
  @GetMapping("/schedule/book")
  String bookPage(
      @RequestParam UUID slot,
      @RequestParam UUID schedule,
      @RequestParam String week,
      Authentication authentication,
      HttpServletRequest request,
      Model model) {
    SchedulingDesk.Caller caller = callers.of(authentication, request);
    requireDesk(caller);
    return bookingPage(caller, slot, schedule, week, model);
  }

  /** Patients found by identifier or name: posted, so that the search text stays out of URLs. */
  @PostMapping("/schedule/book/find")
  String find(
      @RequestParam UUID slot,
      @RequestParam UUID schedule,
      @RequestParam String week,
      @RequestParam(defaultValue = "") String query,
      Authentication authentication,
      HttpServletRequest request,
      Model model) {
    SchedulingDesk.Caller caller = callers.of(authentication, request);
    requireDesk(caller);
    try {
      List<Views.PatientItem> found = desk.findPatients(caller, query);
      model.addAttribute("patients", found);
      if (found.isEmpty()) {
        model.addAttribute("error", "No patient you may book for matches.");
      }
    } catch (IllegalArgumentException e) {
      model.addAttribute("error", e.getMessage());
    }
    return bookingPage(caller, slot, schedule, week, model);
  }

  @PostMapping("/schedule/book")
  String book(
      @RequestParam UUID slot,
      @RequestParam UUID patient,
      @RequestParam UUID schedule,
      @RequestParam String week,
      Authentication authentication,
      HttpServletRequest request) {
    SchedulingDesk.Caller caller = callers.of(authentication, request);
    requireDesk(caller);
    desk.book(caller, slot, patient);
    return back(schedule, week, "booked");
  }

  private String bookingPage(
      SchedulingDesk.Caller caller, UUID slot, UUID schedule, String week, Model model) {
    model.addAttribute(
        "slot",
        desk.slot(caller, slot).orElseThrow(() -> new PageProblem(404, "There is no such slot.")));
    model.addAttribute("scheduleId", schedule);
    model.addAttribute("week", week(week));
    return "schedule-book";
  }

  private static String back(UUID schedule, String week, String done) {
    return "redirect:/schedule?schedule=" + schedule + "&week=" + week(week) + "&done=" + done;
  }

  private static String notice(String done) {
    if (done == null) {
      return null;
    }
    return switch (done) {
      case "booked" -> "The appointment is booked.";
      case "cancelled" -> "The appointment is cancelled.";
      case "status" -> "The appointment's status is changed.";
      default -> null;
    };
  }

  /** A week's date as given (only a date passes: it goes back into a URL), else today. */
  private static String week(String text) {
    try {
      return LocalDate.parse(text).toString();
    } catch (DateTimeException | NullPointerException e) {
      return "";
    }
  }

  private LocalDate day(String text, ZoneId zone) {
    try {
      return text == null || text.isBlank()
          ? LocalDate.ofInstant(desk.now(), zone)
          : LocalDate.parse(text);
    } catch (DateTimeException e) {
      throw new PageProblem(400, "The week is a date (YYYY-MM-DD).");
    }
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Mode modeOf(Subject subject) {
    if (subject.has(Role.FRONT_DESK)) {
      return Mode.FRONT_DESK;
    }
    if ((subject.has(Role.PHYSICIAN) || subject.has(Role.NURSE))
        && subject.practitionerId().isPresent()) {
      return Mode.PRACTITIONER;
    }
    throw new PageProblem(403, NOT_FOR_YOU);
  }

  private static void requireDesk(SchedulingDesk.Caller caller) {
    if (modeOf(caller.subject()) != Mode.FRONT_DESK) {
      throw new PageProblem(403, DESK_ONLY);
    }
  }
}
