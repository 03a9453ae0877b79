package org.phylax.web.internal.scheduling;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Appointment.AppointmentStatus;

/**
 * The appointment statuses as the pages name and move them: booked → arrived → fulfilled, booked →
 * no-show, and cancelled (from proposed, pending or booked) with a reason from a short list of the
 * HL7 appointment-cancellation-reason codes. Final statuses (fulfilled, cancelled, no-show) are
 * never reopened.
 */
final class Statuses {

  static final String CANCELLATION_SYSTEM =
      "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason";

  /** What a patient may give as the reason, code → words. */
  static final Map<String, String> PATIENT_REASONS = reasons("pat", "pat-fb", "pat-lt", "other");

  /** What the front desk or a practitioner may give. */
  static final Map<String, String> WORKFORCE_REASONS = reasons("pat", "prov", "maint", "other");

  private Statuses() {}

  private static Map<String, String> reasons(String... codes) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String code : codes) {
      out.put(
          code,
          switch (code) {
            case "pat" -> "Patient asked to cancel";
            case "pat-fb" -> "Feeling better";
            case "pat-lt" -> "No transport";
            case "prov" -> "Practitioner unavailable";
            case "maint" -> "Equipment or room unavailable";
            default -> "Other reason";
          });
    }
    return java.util.Collections.unmodifiableMap(out);
  }

  static String label(String status) {
    if (status == null) {
      return "unknown";
    }
    return switch (status) {
      case "noshow" -> "no-show";
      case "checked-in" -> "checked in";
      case "entered-in-error" -> "entered in error";
      default -> status;
    };
  }

  /** Whether an appointment in this status may still be cancelled (before its start). */
  static boolean cancellable(AppointmentStatus status) {
    return status == AppointmentStatus.BOOKED
        || status == AppointmentStatus.PROPOSED
        || status == AppointmentStatus.PENDING;
  }

  /** The statuses a workforce user may move an appointment to from {@code status}. */
  static List<String> next(AppointmentStatus status) {
    if (status == null) {
      return List.of();
    }
    return switch (status) {
      case PROPOSED, PENDING -> List.of("booked");
      case BOOKED -> List.of("arrived", "noshow");
      case ARRIVED, CHECKEDIN -> List.of("fulfilled");
      default -> List.of();
    };
  }

  /** Whether {@code from} may move to {@code to} on these pages. */
  static boolean allowed(AppointmentStatus from, AppointmentStatus to) {
    return to != null && next(from).contains(to.toCode());
  }
}
