package org.phylax.alerts;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The alerts raised so far, newest first, and their acknowledgement. Alerts are never deleted;
 * acknowledging is the only change an alert ever sees, once. Whether the caller may read or
 * acknowledge alerts at all is decided by the caller (the HTTP endpoints let compliance officers
 * only); this API answers whoever calls it and does not write the audit log itself.
 */
public interface Alerts {

  /** Page size when none is given. */
  int DEFAULT_PAGE_SIZE = 50;

  /** The largest page one call may ask for. */
  int MAX_PAGE_SIZE = 200;

  /** The longest acknowledgement note, in characters. */
  int MAX_NOTE = 2000;

  /**
   * One page of alerts, newest first.
   *
   * @param status only alerts in this status; null for all
   * @param limit at most this many, between 1 and {@link #MAX_PAGE_SIZE}
   * @param cursor the {@link Page#next()} of the previous page, or null for the first
   * @throws IllegalArgumentException when the limit is out of range or the cursor is not one this
   *     API handed out
   */
  Page list(Alert.Status status, int limit, String cursor);

  Optional<Alert> find(UUID alertId);

  /**
   * Marks the alert acknowledged by {@code byAccount} now, with the note.
   *
   * @throws AlertNotFoundException when there is no such alert
   * @throws AlertAlreadyAcknowledgedException when someone acknowledged it before
   * @throws IllegalArgumentException when the note is blank or longer than {@link #MAX_NOTE}
   */
  Alert acknowledge(UUID alertId, UUID byAccount, String note);

  /** A page of alerts; {@link #next} continues after its last one, empty on the last page. */
  record Page(List<Alert> alerts, Optional<String> next) {
    public Page {
      alerts = List.copyOf(alerts);
    }
  }
}
