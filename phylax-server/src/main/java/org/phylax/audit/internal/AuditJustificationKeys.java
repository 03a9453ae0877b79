package org.phylax.audit.internal;

import java.util.HashMap;
import java.util.Map;
import org.phylax.crypto.FieldCipher;
import org.phylax.keys.KeyUsage;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The keys that audit justifications (break-glass reasons and the like) are encrypted under. The
 * audit log is append-only, so these values are never re-encrypted: counting them here is what
 * stops {@code keys retire} from removing a key that an audit record still needs. Justifications
 * are rare, so the scan reads few rows.
 */
@Component
class AuditJustificationKeys implements KeyUsage {

  private final JdbcClient jdbc;

  AuditJustificationKeys(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public Map<Integer, Long> valuesPerKey() {
    Map<Integer, Long> counts = new HashMap<>();
    jdbc.sql("select justification from audit_event where justification is not null")
        .query((rs, n) -> counts.merge(FieldCipher.keyIdOf(rs.getBytes(1)), 1L, Long::sum))
        .list();
    return counts;
  }
}
