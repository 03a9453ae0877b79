package org.phylax.records;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.phylax.access.Permit;

/**
 * Reads the current, not deleted resources of one type a page at a time, for bulk export: the
 * patients the permit covers only (every patient, and the directory, for a permit of every
 * patient), ordered by id so that an export can stop after any page and go on from the last id it
 * wrote.
 */
public interface RecordExport {

  /**
   * Up to {@code limit} resources of {@code resourceType} with an id greater than {@code after}
   * (from the first when null), last written after {@code since} (any time when null), of the
   * patients the permit covers, ordered by id.
   */
  List<StoredResource> page(
      Permit permit, String resourceType, Instant since, UUID after, int limit);
}
