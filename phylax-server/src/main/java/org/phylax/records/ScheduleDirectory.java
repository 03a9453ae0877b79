package org.phylax.records;

import java.util.List;
import java.util.UUID;
import org.phylax.access.Permit;

/**
 * Finds Schedules without a search parameter of their own: every current Schedule, or those of one
 * actor (a Practitioner, PractitionerRole or Location), from the clear rows of their actors that
 * the store keeps for the free-slot search. Schedules belong to no patient, so any permit will do;
 * the caller gets one from the access gate (a search of {@code Schedule}) so that the look-up is
 * decided and audited like any other.
 */
public interface ScheduleDirectory {

  /** Up to {@code limit} current, not deleted Schedules, in a stable order (by id). */
  List<StoredResource> schedules(Permit permit, int limit);

  /** The current, not deleted Schedules that name {@code actorId} among their actors, by id. */
  List<StoredResource> schedulesOf(Permit permit, UUID actorId);
}
