package org.phylax.audit;

import java.util.List;
import java.util.Optional;

/**
 * Reads the audit log. Every search is itself recorded (action {@link AuditAction#AUDIT_READ}, the
 * reader as actor, the criteria as what was asked, the patient when the search is about one) before
 * any result is returned; when that record cannot be written the search fails with {@link
 * AuditUnavailableException} and returns nothing.
 *
 * <p>Whether the reader may read the log at all is decided by the caller (the access policy); this
 * API answers whoever calls it.
 */
public interface AuditSearch {

  /**
   * One page of the events matching the query, newest first.
   *
   * @throws IllegalArgumentException when the query's cursor is not one this log handed out
   * @throws AuditUnavailableException when the read could not be recorded
   */
  Page search(AuditQuery query, Reader reader);

  /** Who reads, from where and why: recorded as the actor and source of the read. */
  record Reader(
      String user,
      String role,
      String clientId,
      String ip,
      String userAgent,
      String requestId,
      String purposeOfUse) {}

  /** One recorded event with its place in the chain. */
  record Entry(long seq, AuditEvent event) {}

  /** A page of results; {@link #next} is the cursor for the following page, empty on the last. */
  record Page(List<Entry> entries, Optional<String> next, long readSeq) {}
}
