package org.phylax.web.internal.scheduling;

import java.util.List;
import java.util.UUID;

/**
 * What the scheduling pages show, already formatted for people. They hold PHI (names, times), so
 * they are plain classes whose {@code toString()} prints ids only, never records.
 */
final class Views {

  private Views() {}

  /** One appointment, as a line of a list. */
  static final class AppointmentItem {
    private final UUID id;
    private final String when;
    private final String day;
    private final String time;
    private final String zone;
    private final String practitioner;
    private final String place;
    private final String patient;
    private final String status;
    private final String statusLabel;
    private final boolean upcoming;
    private final boolean cancellable;
    private final List<String> nextStatuses;

    AppointmentItem(
        UUID id,
        String when,
        String day,
        String time,
        String zone,
        String practitioner,
        String place,
        String patient,
        String status,
        boolean upcoming,
        boolean cancellable,
        List<String> nextStatuses) {
      this.id = id;
      this.when = when;
      this.day = day;
      this.time = time;
      this.zone = zone;
      this.practitioner = practitioner;
      this.place = place;
      this.patient = patient;
      this.status = status;
      this.statusLabel = Statuses.label(status);
      this.upcoming = upcoming;
      this.cancellable = cancellable;
      this.nextStatuses = List.copyOf(nextStatuses);
    }

    public UUID getId() {
      return id;
    }

    /** Day and time with the zone named: {@code Mon 5 Jul 2027, 09:00 (Europe/Berlin)}. */
    public String getWhen() {
      return when;
    }

    public String getDay() {
      return day;
    }

    public String getTime() {
      return time;
    }

    public String getZone() {
      return zone;
    }

    public String getPractitioner() {
      return practitioner;
    }

    /** The Location's name, "Video visit", or empty. */
    public String getPlace() {
      return place;
    }

    public String getPatient() {
      return patient;
    }

    public String getStatus() {
      return status;
    }

    public String getStatusLabel() {
      return statusLabel;
    }

    public boolean isUpcoming() {
      return upcoming;
    }

    public boolean isCancellable() {
      return cancellable;
    }

    /** The statuses a workforce user may move it to next ({@code arrived}, {@code noshow} …). */
    public List<String> getNextStatuses() {
      return nextStatuses;
    }

    @Override
    public String toString() {
      return "AppointmentItem[" + id + ", ***]";
    }
  }

  /** A free slot. */
  static final class SlotItem {
    private final UUID id;
    private final String day;
    private final String time;

    SlotItem(UUID id, String day, String time) {
      this.id = id;
      this.day = day;
      this.time = time;
    }

    public UUID getId() {
      return id;
    }

    public String getDay() {
      return day;
    }

    /** Start to end, local: {@code 09:00–09:20}. */
    public String getTime() {
      return time;
    }

    @Override
    public String toString() {
      return "SlotItem[" + id + "]";
    }
  }

  /** The free slots of one day. */
  static final class SlotDay {
    private final String day;
    private final List<SlotItem> slots;

    SlotDay(String day, List<SlotItem> slots) {
      this.day = day;
      this.slots = List.copyOf(slots);
    }

    public String getDay() {
      return day;
    }

    public List<SlotItem> getSlots() {
      return slots;
    }

    @Override
    public String toString() {
      return "SlotDay[" + slots.size() + " slots]";
    }
  }

  /** A Schedule to choose: its practitioners' names and its zone. */
  static final class ScheduleItem {
    private final UUID id;
    private final String label;
    private final String zone;

    ScheduleItem(UUID id, String label, String zone) {
      this.id = id;
      this.label = label;
      this.zone = zone;
    }

    public UUID getId() {
      return id;
    }

    public String getLabel() {
      return label;
    }

    public String getZone() {
      return zone;
    }

    @Override
    public String toString() {
      return "ScheduleItem[" + id + "]";
    }
  }

  /** A patient found by the front desk. */
  static final class PatientItem {
    private final UUID id;
    private final String name;
    private final String birthDate;
    private final String identifiers;

    PatientItem(UUID id, String name, String birthDate, String identifiers) {
      this.id = id;
      this.name = name;
      this.birthDate = birthDate;
      this.identifiers = identifiers;
    }

    public UUID getId() {
      return id;
    }

    public String getName() {
      return name;
    }

    public String getBirthDate() {
      return birthDate;
    }

    public String getIdentifiers() {
      return identifiers;
    }

    @Override
    public String toString() {
      return "PatientItem[" + id + ", ***]";
    }
  }
}
