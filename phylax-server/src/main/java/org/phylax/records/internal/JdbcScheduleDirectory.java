package org.phylax.records.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.phylax.access.Permit;
import org.phylax.records.NotPermittedException;
import org.phylax.records.RecordDeletedException;
import org.phylax.records.RecordNotFoundException;
import org.phylax.records.RecordStore;
import org.phylax.records.ScheduleDirectory;
import org.phylax.records.StoredResource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Schedule ids from {@code record_schedule_actor} (clear surrogate ids, kept in step with the
 * current versions), each then read through the record store. A class of its own so that the
 * store's interface does not grow for a listing of the directory.
 */
@Component
class JdbcScheduleDirectory implements ScheduleDirectory {

  private static final int MAX = 1000;

  private final JdbcClient jdbc;
  private final RecordStore store;

  JdbcScheduleDirectory(JdbcClient jdbc, RecordStore store) {
    this.jdbc = jdbc;
    this.store = store;
  }

  @Override
  public List<StoredResource> schedules(Permit permit, int limit) {
    requirePermit(permit);
    if (limit < 1 || limit > MAX) {
      throw new IllegalArgumentException("a listing holds 1 to " + MAX + " schedules");
    }
    return read(
        permit,
        jdbc.sql(
                "select distinct a.schedule_id from record_schedule_actor a join record_resource r"
                    + " on r.id = a.schedule_id where r.deleted_at is null"
                    + " order by a.schedule_id limit ?")
            .param(limit)
            .query(UUID.class)
            .list());
  }

  @Override
  public List<StoredResource> schedulesOf(Permit permit, UUID actorId) {
    requirePermit(permit);
    return read(
        permit,
        jdbc.sql(
                "select a.schedule_id from record_schedule_actor a join record_resource r"
                    + " on r.id = a.schedule_id where a.actor_id = ? and r.deleted_at is null"
                    + " order by a.schedule_id limit ?")
            .params(actorId, MAX)
            .query(UUID.class)
            .list());
  }

  private List<StoredResource> read(Permit permit, List<UUID> ids) {
    List<StoredResource> out = new ArrayList<>(ids.size());
    for (UUID id : ids) {
      try {
        out.add(store.read(permit, "Schedule", id));
      } catch (RecordNotFoundException | RecordDeletedException e) {
        // deleted between the listing and the read
      }
    }
    return out;
  }

  private static void requirePermit(Permit permit) {
    if (permit == null) {
      throw new NotPermittedException("the record store needs a permit");
    }
  }
}
