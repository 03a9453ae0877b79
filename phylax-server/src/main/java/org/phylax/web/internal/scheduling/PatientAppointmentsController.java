package org.phylax.web.internal.scheduling;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.phylax.identity.Role;
import org.phylax.records.SchedulingConflictException;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * A patient's own appointments ({@code /me/appointments}, where the reminder emails link): upcoming
 * and recent ones in the zone of their place or schedule, cancelling an upcoming one with a reason,
 * and booking a free slot of a practitioner's schedule over the next two weeks. Only for a patient
 * whose account is linked to their Patient record; every read and write is decided by the access
 * gate as over FHIR (reason SELF) and audited.
 */
@Controller
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class PatientAppointmentsController {

  static final String BOOKED = "Your appointment is booked.";
  static final String CANCELLED = "Your appointment is cancelled.";
  static final String NOT_A_PATIENT =
      "This page is for patients whose account is linked to their record.";

  private final SchedulingDesk desk;
  private final PageCallers callers;

  PatientAppointmentsController(SchedulingDesk desk, PageCallers callers) {
    this.desk = desk;
    this.callers = callers;
  }

  @GetMapping("/me/appointments")
  String appointments(
      @RequestParam(required = false) String done,
      Authentication authentication,
      HttpServletRequest request,
      Model model) {
    SchedulingDesk.Caller caller = callers.of(authentication, request);
    UUID patient = patientOf(caller);
    List<Views.AppointmentItem> all = desk.appointmentsOf(caller, patient);
    model.addAttribute("upcoming", all.stream().filter(Views.AppointmentItem::isUpcoming).toList());
    List<Views.AppointmentItem> past =
        new ArrayList<>(all.stream().filter(a -> !a.isUpcoming()).toList());
    Collections.reverse(past);
    model.addAttribute("past", past);
    model.addAttribute("reasons", Statuses.PATIENT_REASONS);
    model.addAttribute("schedules", desk.schedules(caller));
    model.addAttribute("pastDays", SchedulingDesk.PAST_DAYS);
    if ("booked".equals(done)) {
      model.addAttribute("notice", BOOKED);
    } else if ("cancelled".equals(done)) {
      model.addAttribute("notice", CANCELLED);
    }
    return "me-appointments";
  }

  @GetMapping("/me/appointments/book")
  String bookPage(
      @RequestParam UUID schedule,
      Authentication authentication,
      HttpServletRequest request,
      Model model) {
    SchedulingDesk.Caller caller = callers.of(authentication, request);
    patientOf(caller);
    return slotsPage(caller, schedule, model);
  }

  @PostMapping("/me/appointments/book")
  String book(
      @RequestParam UUID schedule,
      @RequestParam UUID slot,
      Authentication authentication,
      HttpServletRequest request,
      HttpServletResponse response,
      Model model) {
    SchedulingDesk.Caller caller = callers.of(authentication, request);
    UUID patient = patientOf(caller);
    try {
      desk.book(caller, slot, patient);
    } catch (SchedulingConflictException e) {
      response.setStatus(409);
      model.addAttribute("error", SchedulingPageErrors.TAKEN);
      return slotsPage(caller, schedule, model);
    }
    return "redirect:/me/appointments?done=booked";
  }

  @PostMapping("/me/appointments/{id}/cancel")
  String cancel(
      @PathVariable UUID id,
      @RequestParam(defaultValue = "") String reason,
      Authentication authentication,
      HttpServletRequest request) {
    SchedulingDesk.Caller caller = callers.of(authentication, request);
    patientOf(caller);
    try {
      desk.cancel(caller, id, reason, Statuses.PATIENT_REASONS);
    } catch (IllegalStateException e) {
      throw new PageProblem(409, e.getMessage());
    }
    return "redirect:/me/appointments?done=cancelled";
  }

  private String slotsPage(SchedulingDesk.Caller caller, UUID scheduleId, Model model) {
    SchedulingDesk.Chosen chosen =
        desk.schedule(caller, scheduleId)
            .orElseThrow(() -> new PageProblem(404, "There is no such schedule."));
    Instant now = desk.now();
    model.addAttribute("schedule", chosen.item());
    model.addAttribute(
        "days",
        desk.freeSlots(
            caller,
            chosen.schedule(),
            now,
            now.plus(Duration.ofDays(SchedulingDesk.BOOKING_DAYS))));
    model.addAttribute("bookingDays", SchedulingDesk.BOOKING_DAYS);
    return "me-book";
  }

  private static UUID patientOf(SchedulingDesk.Caller caller) {
    if (!caller.subject().has(Role.PATIENT) || caller.subject().patientId().isEmpty()) {
      throw new PageProblem(403, NOT_A_PATIENT);
    }
    return caller.subject().patientId().get();
  }
}
