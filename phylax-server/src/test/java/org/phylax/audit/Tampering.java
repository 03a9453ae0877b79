package org.phylax.audit;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What a database superuser can do to the audit log: switch the append-only triggers off for a
 * statement. The tests tamper this way to show that the hashes catch what the triggers cannot.
 */
public final class Tampering {

  private Tampering() {}

  public static void asSuperuser(JdbcTemplate jdbc, String sql, Object... args) {
    jdbc.execute(
        (java.sql.Connection c) -> {
          try (var s = c.createStatement()) {
            s.execute("set session_replication_role = replica");
          }
          try (var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
              ps.setObject(i + 1, args[i]);
            }
            ps.execute();
          } finally {
            try (var s = c.createStatement()) {
              s.execute("set session_replication_role = origin");
            }
          }
          return null;
        });
  }
}
