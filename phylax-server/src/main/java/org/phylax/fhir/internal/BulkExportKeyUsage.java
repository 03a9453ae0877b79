package org.phylax.fhir.internal;

import java.util.HashMap;
import java.util.Map;
import org.phylax.keys.KeyUsage;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Tells key administration how many export file parts each data key still protects, so that a key
 * is not retired under a file that has not expired yet. Files are not re-encrypted: they are
 * deleted within the export expiry (an hour by default) anyway.
 */
@Component
class BulkExportKeyUsage implements KeyUsage {

  private final JdbcTemplate jdbc;

  BulkExportKeyUsage(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public Map<Integer, Long> valuesPerKey() {
    Map<Integer, Long> counts = new HashMap<>();
    jdbc.query(
        "select key_id, count(*) as n from fhir_export_file group by key_id",
        rs -> {
          counts.put((int) rs.getLong("key_id"), rs.getLong("n"));
        });
    return counts;
  }
}
