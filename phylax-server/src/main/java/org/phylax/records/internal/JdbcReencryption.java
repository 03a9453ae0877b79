package org.phylax.records.internal;

import java.util.List;
import java.util.UUID;
import org.phylax.access.Permit;
import org.phylax.crypto.FieldCipher;
import org.phylax.crypto.IntegrityException;
import org.phylax.keys.DataKeys;
import org.phylax.records.NotPermittedException;
import org.phylax.records.RecordIntegrityException;
import org.phylax.records.Reencryption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Re-encryption over both record tables. A batch locks its rows with {@code FOR UPDATE SKIP
 * LOCKED}, so it never waits for a writer and two re-encryptions (two nodes, or the CLI beside a
 * server) share the work instead of doing it twice; a writer that wants a locked row waits for the
 * batch to commit, which is short. Only {@code body} and {@code key_id} change: the version stays,
 * so an optimistic update that read the row before still applies.
 */
@Component
class JdbcReencryption implements Reencryption {

  private static final Logger log = LoggerFactory.getLogger(JdbcReencryption.class);

  private static final List<String> TABLES = List.of("record_resource", "record_resource_history");

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final DataKeys keys;

  JdbcReencryption(JdbcClient jdbc, TransactionTemplate tx, DataKeys keys) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.keys = keys;
  }

  @Override
  public Progress runBatch(Permit permit, int batchSize) {
    if (permit == null || permit.patient().isPresent()) {
      throw new NotPermittedException("re-encryption needs a system permit for every patient");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be 1 or more");
    }
    FieldCipher cipher = keys.fieldCipher();
    long primary = Integer.toUnsignedLong(cipher.primaryKeyId());
    long done =
        tx.execute(
            status -> {
              long rewritten = 0;
              for (String table : TABLES) {
                if (rewritten < batchSize) {
                  rewritten += rewrite(cipher, primary, table, (int) (batchSize - rewritten));
                }
              }
              return rewritten;
            });
    return new Progress(done, remaining(primary));
  }

  @Override
  public Progress runToCompletion(Permit permit, int batchSize) {
    long total = 0;
    while (true) {
      Progress batch = runBatch(permit, batchSize);
      total += batch.done();
      if (batch.remaining() == 0) {
        log.info("Re-encryption complete: {} values rewritten", total);
        return new Progress(total, 0);
      }
      if (batch.done() == 0) {
        // What is left is locked by writers, which will store it under the new key themselves.
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return new Progress(total, batch.remaining());
        }
      }
    }
  }

  @Override
  public Progress progress() {
    return new Progress(0, remaining(Integer.toUnsignedLong(keys.fieldCipher().primaryKeyId())));
  }

  private int rewrite(FieldCipher cipher, long primary, String table, int limit) {
    List<Stored> rows =
        jdbc.sql(
                "select id, version, resource_type, body from "
                    + table
                    + " where key_id <> ? limit ? for update skip locked")
            .params(primary, limit)
            .query(
                (rs, n) ->
                    new Stored(
                        rs.getObject("id", UUID.class),
                        rs.getLong("version"),
                        rs.getString("resource_type"),
                        rs.getBytes("body")))
            .list();
    for (Stored row : rows) {
      var context = JdbcRecordStore.context(row.type, row.id, row.version);
      byte[] body;
      try {
        body = cipher.encrypt(cipher.decrypt(row.body, context), context);
      } catch (IntegrityException e) {
        throw new RecordIntegrityException(
            row.type
                + "/"
                + row.id
                + "/_history/"
                + row.version
                + " in "
                + table
                + " failed its integrity check; re-encryption stopped there",
            e);
      }
      jdbc.sql("update " + table + " set body = ?, key_id = ? where id = ? and version = ?")
          .params(body, JdbcRecordStore.keyIdOf(body), row.id, row.version)
          .update();
    }
    return rows.size();
  }

  private long remaining(long primary) {
    long total = 0;
    for (String table : TABLES) {
      total +=
          jdbc.sql("select count(*) from " + table + " where key_id <> ?")
              .param(primary)
              .query(Long.class)
              .single();
    }
    return total;
  }

  /** A stored ciphertext and its place. */
  private static final class Stored {
    final UUID id;
    final long version;
    final String type;
    final byte[] body;

    Stored(UUID id, long version, String type, byte[] body) {
      this.id = id;
      this.version = version;
      this.type = type;
      this.body = body;
    }
  }
}
