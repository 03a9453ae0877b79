package org.phylax.disclosures;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.phylax.audit.AuditSearch;

/**
 * A patient's access report: the permitted or successful accesses to the patient's record by anyone
 * but the patient, newest first, from the audit log. Reads of the audit log itself and refused
 * attempts are not in it, and neither is Phylax's own maintenance ({@code system:} actors). The
 * search is audited as any read of the log, with {@code reader} as actor. Whether the caller may
 * see this patient's report is decided by the caller.
 */
public interface AccessReports {

  /** Page size when none is given. */
  int DEFAULT_PAGE_SIZE = 20;

  /** The largest page one call may ask for. */
  int MAX_PAGE_SIZE = 100;

  /**
   * One page of the report.
   *
   * @param patientId the patient whose record it is about
   * @param selfAccount the patient's own account, whose accesses are left out
   * @param limit between 1 and {@link #MAX_PAGE_SIZE}
   * @param cursor {@link Page#next()} of the previous page, or null for the first
   * @throws IllegalArgumentException when the limit is out of range or the cursor is not one the
   *     audit log handed out
   */
  Page report(
      UUID patientId, UUID selfAccount, int limit, String cursor, AuditSearch.Reader reader);

  /**
   * A page of entries. {@link #next} continues after the last entry looked at, which may be past
   * the last one shown; it is empty when nothing older is left. A page may then hold fewer than the
   * limit, and still have a next page.
   */
  record Page(List<AccessEntry> entries, Optional<String> next) {
    public Page {
      entries = List.copyOf(entries);
    }
  }
}
