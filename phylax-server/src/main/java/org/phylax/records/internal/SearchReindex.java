package org.phylax.records.internal;

import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Rebuilds the search index when the indexing rules changed ({@link ResourceIndexer#INDEX_VERSION}
 * above the stored version): in the background after start, a batch of resources per transaction,
 * under a PostgreSQL advisory lock so that one node of several does it. Until it is done, searches
 * by the new rules miss older resources; nothing else waits. A stop in the middle leaves the stored
 * version as it was, and the next start begins again (rewriting a resource's index twice is
 * harmless).
 */
@Component
class SearchReindex implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(SearchReindex.class);
  private static final long LOCK = 0x7068796c_72656978L; // "phylreix"
  private static final int BATCH = 500;

  private final JdbcClient jdbc;
  private final JdbcRecordStore store;
  private volatile Thread worker;
  private volatile boolean running;

  SearchReindex(JdbcClient jdbc, JdbcRecordStore store) {
    this.jdbc = jdbc;
    this.store = store;
  }

  @Override
  public void start() {
    running = true;
    if (storedVersion() >= ResourceIndexer.INDEX_VERSION) {
      return;
    }
    worker = new Thread(this::runQuietly, "phylax-search-reindex");
    worker.setDaemon(true);
    worker.start();
  }

  @Override
  public void stop() {
    running = false;
    Thread t = worker;
    if (t != null) {
      t.interrupt();
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  private void runQuietly() {
    try {
      run();
    } catch (RuntimeException e) {
      if (running) {
        log.warn("search re-index stopped: {} (it starts again at the next start)", e.toString());
      }
    }
  }

  /** Rebuilds the whole index if it is out of date; returns how many resources were rewritten. */
  long run() {
    long done = 0;
    int from = storedVersion();
    if (from >= ResourceIndexer.INDEX_VERSION) {
      return 0;
    }
    log.info(
        "search index is version {}, the code's is {}: rebuilding it in the background",
        from,
        ResourceIndexer.INDEX_VERSION);
    UUID after = new UUID(Long.MIN_VALUE, Long.MIN_VALUE);
    boolean first = true;
    while (running && !Thread.currentThread().isInterrupted()) {
      List<UUID> ids =
          jdbc.sql(
                  "select id from record_resource where deleted_at is null"
                      + (first ? "" : " and id > ?")
                      + " order by id limit "
                      + BATCH)
              .params(first ? new Object[0] : new Object[] {after})
              .query(UUID.class)
              .list();
      if (ids.isEmpty()) {
        break;
      }
      first = false;
      if (!lockedBatch(ids)) {
        log.info("another node is rebuilding the search index; this one leaves it to it");
        return done;
      }
      done += ids.size();
      after = ids.get(ids.size() - 1);
    }
    if (!running || Thread.currentThread().isInterrupted()) {
      return done;
    }
    jdbc.sql("update record_index_state set version = ? where id = 1 and version < ?")
        .params(ResourceIndexer.INDEX_VERSION, ResourceIndexer.INDEX_VERSION)
        .update();
    log.info("search index rebuilt: {} resources, version {}", done, ResourceIndexer.INDEX_VERSION);
    return done;
  }

  /**
   * One batch under a transaction-scoped advisory lock (a session lock would need one pooled
   * connection for the whole run): a second node finds it taken and leaves the work to the first.
   */
  private boolean lockedBatch(List<UUID> ids) {
    return store.reindexLocked(LOCK, ids);
  }

  int storedVersion() {
    return jdbc.sql("select version from record_index_state where id = 1")
        .query(Integer.class)
        .optional()
        .orElse(0);
  }
}
