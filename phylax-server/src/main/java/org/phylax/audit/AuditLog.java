package org.phylax.audit;

/**
 * The tamper-evident audit log. {@link #record} returns only once the event is durable in
 * PostgreSQL, chained to the one before it; callers about to release PHI call it first, so that
 * nothing is released that the log does not show.
 */
public interface AuditLog {

  /**
   * Appends the event and waits until it is committed.
   *
   * @return its sequence number
   * @throws AuditUnavailableException when the event could not be written (database down, disk
   *     full, constraint): the caller must refuse the request (503) and release nothing
   */
  long record(AuditEvent event);
}
