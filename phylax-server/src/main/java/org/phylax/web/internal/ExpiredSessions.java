package org.phylax.web.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.phylax.identity.ClientInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Removes signed-in sessions whose idle timeout has passed, and audits each as ended ({@code
 * LOGOUT}, "idle timeout"): every {@code phylax.web.session-sweep} (1 minute) for all of them, and
 * at once for the session a returning browser names ({@link ExpiredSessionFilter}), before Spring
 * Session would drop it unaudited. A session is deleted and its event recorded in one transaction,
 * so when the audit log is down the session stays (still unusable, being expired) until the event
 * can be written; {@code FOR UPDATE SKIP LOCKED} lets several nodes sweep without counting a
 * session twice. Sessions that never signed in (no principal) are deleted without an event.
 */
final class ExpiredSessions {

  private static final Logger log = LoggerFactory.getLogger(ExpiredSessions.class);
  private static final int BATCH = 200;

  private record Ended(String account, int idleSeconds) {}

  private final JdbcTemplate jdbc;
  private final TransactionTemplate tx;
  private final SessionAudit audit;
  private final Clock clock;

  ExpiredSessions(JdbcTemplate jdbc, TransactionTemplate tx, SessionAudit audit, Clock clock) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.audit = audit;
    this.clock = clock;
  }

  /**
   * Ends the session with this id if it has expired; true when it was a signed-in session.
   *
   * @throws org.phylax.audit.AuditUnavailableException when its end cannot be recorded (the session
   *     is then left as it was)
   */
  boolean endIfExpired(String sessionId, ClientInfo client) {
    long now = clock.millis();
    List<Ended> ended =
        tx.execute(
            status -> {
              List<Ended> rows =
                  jdbc.query(
                      "delete from spring_session where session_id = ? and expiry_time < ?"
                          + " returning principal_name, max_inactive_interval",
                      (rs, n) -> new Ended(rs.getString(1), rs.getInt(2)),
                      sessionId,
                      now);
              record(rows, client);
              return rows;
            });
    return ended.stream().anyMatch(e -> e.account() != null);
  }

  /** Ends every expired session; returns how many signed-in sessions ended. */
  @Scheduled(
      fixedDelayString = "${phylax.web.session-sweep:60s}",
      initialDelayString = "${phylax.web.session-sweep:60s}")
  int sweep() {
    int total = 0;
    try {
      while (true) {
        long now = clock.millis();
        List<Ended> batch =
            tx.execute(
                status -> {
                  List<Ended> rows =
                      jdbc.query(
                          "delete from spring_session where primary_id in (select primary_id"
                              + " from spring_session where expiry_time < ? order by expiry_time"
                              + " limit ? for update skip locked)"
                              + " returning principal_name, max_inactive_interval",
                          (rs, n) -> new Ended(rs.getString(1), rs.getInt(2)),
                          now,
                          BATCH);
                  record(rows, ClientInfo.none());
                  return rows;
                });
        total += (int) batch.stream().filter(e -> e.account() != null).count();
        if (batch.size() < BATCH) {
          return total;
        }
      }
    } catch (RuntimeException e) {
      // Left for the next sweep; the sessions stay expired (unusable) meanwhile.
      log.warn("Expired web sessions not removed this time: {}", e.toString());
      return total;
    }
  }

  private void record(List<Ended> rows, ClientInfo client) {
    for (Ended row : rows) {
      if (row.account() != null) {
        audit.ended(
            row.account(),
            null,
            client,
            "session expired: idle timeout ("
                + Durations.text(Duration.ofSeconds(row.idleSeconds()))
                + " without a request)");
      }
    }
  }
}
