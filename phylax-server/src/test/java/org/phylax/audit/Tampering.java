package org.phylax.audit;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What a database superuser can do to the audit log: switch the append-only triggers off for a
 * statement. The tests tamper this way to show that the hashes catch what the triggers cannot.
 */
public final class Tampering {

  private Tampering() {}

  /**
   * Runs one statement as the database owner rather than the application's role: privileges then
   * allow it, and only the append-only triggers stand in the way.
   */
  public static void asOwner(JdbcTemplate jdbc, String sql) {
    jdbc.execute(
        (java.sql.Connection c) -> {
          try (var s = c.createStatement()) {
            s.execute("reset role");
            s.execute(sql);
          } finally {
            try (var s = c.createStatement()) {
              s.execute("set role phylax_app");
            }
          }
          return null;
        });
  }

  public static void asSuperuser(JdbcTemplate jdbc, String sql, Object... args) {
    jdbc.execute(
        (java.sql.Connection c) -> {
          try (var s = c.createStatement()) {
            // The pool works as phylax_app; a superuser session returns to itself first.
            s.execute("reset role");
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
              s.execute("set role phylax_app");
            }
          }
          return null;
        });
  }
}
