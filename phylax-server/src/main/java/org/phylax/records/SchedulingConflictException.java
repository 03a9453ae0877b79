package org.phylax.records;

/**
 * A write would book a practitioner or a room twice: the Appointment holds a time that overlaps
 * another booked (arrived, checked-in) appointment of the same participant. The database decides
 * it, so two bookings racing for one slot cannot both succeed (HTTP 409 in the FHIR API). The
 * message names the appointment and the participant, never the other appointment or its patient.
 */
public class SchedulingConflictException extends RuntimeException {

  public SchedulingConflictException(String message) {
    super(message);
  }
}
