package org.phylax.reminders.internal;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Objects;

/**
 * The text of one reminder, made from the minimum necessary: the patient's first name, the start in
 * the appointment's time zone, the place or "video visit", and the link to the patient's
 * appointments. Nothing else of the record reaches it, by construction: it is given those values
 * only. Not a record, so that {@link #toString()} prints none of them.
 */
final class ReminderMessage {

  static final String SUBJECT = "Appointment reminder";

  private static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("EEEE d MMMM yyyy 'at' HH:mm", Locale.ENGLISH);

  private final String body;

  private ReminderMessage(String body) {
    this.body = body;
  }

  /**
   * @param firstName the patient's given name, or null for a greeting without a name
   * @param place the Location's name, or null when unknown (ignored for a video visit)
   */
  static ReminderMessage of(
      String firstName, Instant start, ZoneId zone, boolean virtual, String place, String link) {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(link, "link");
    StringBuilder b = new StringBuilder();
    b.append(blank(firstName) ? "Hello," : "Hello " + firstName.strip() + ",").append("\n\n");
    b.append("This is a reminder of your appointment on ")
        .append(WHEN.format(start.atZone(zone)))
        .append(" (")
        .append(zone.getId())
        .append(").\n");
    if (virtual) {
      b.append("It is a video visit: join it from your appointments page.\n");
    } else if (!blank(place)) {
      b.append("Place: ").append(place.strip()).append("\n");
    }
    b.append("\nYour appointments: ").append(link).append("\n\n");
    b.append("This message was sent automatically; please do not reply to it.\n");
    return new ReminderMessage(b.toString());
  }

  String subject() {
    return SUBJECT;
  }

  String body() {
    return body;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  @Override
  public String toString() {
    return "ReminderMessage[***]";
  }
}
