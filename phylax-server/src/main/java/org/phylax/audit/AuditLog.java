package org.phylax.audit;

import java.util.List;

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

  /**
   * Appends the events and waits until all of them are committed: together, in as few commits as
   * the log's batches allow, where calling {@link #record} for each would wait for one commit per
   * event. For a request that decides many accesses at once (a transaction bundle).
   *
   * @throws AuditUnavailableException when any event could not be written: the caller must refuse
   *     the request and release nothing
   */
  default void recordAll(List<AuditEvent> events) {
    events.forEach(this::record);
  }
}
