package org.phylax.identity.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import org.phylax.audit.AuditAction;
import org.phylax.audit.AuditEvent;
import org.phylax.identity.AccountStatus;
import org.phylax.identity.ClientInfo;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Counts failed attempts and locks: the failure that makes {@code maxFailures} within the window
 * locks the account for the lock duration. The account row is locked while counting, so that
 * failures on several nodes at once are all counted.
 */
final class Lockout {

  static final String BY = "system:lockout";

  private final AccountStore store;
  private final TransactionTemplate tx;
  private final IdentityAudit audit;
  private final LockoutRules rules;
  private final Clock clock;

  Lockout(
      AccountStore store,
      TransactionTemplate tx,
      IdentityAudit audit,
      LockoutRules rules,
      Clock clock) {
    this.store = store;
    this.tx = tx;
    this.audit = audit;
    this.rules = rules;
    this.clock = clock;
  }

  /** Counts a failure; returns true when it locked the account. */
  boolean recordFailure(UUID account, ClientInfo client) {
    Instant now = clock.instant();
    AccountRow locked =
        tx.execute(
            status -> {
              AccountRow row = store.lockById(account).orElseThrow();
              if (row.statusAt(now) != AccountStatus.ACTIVE) {
                return null; // locked or disabled: nothing more to count
              }
              store.addFailure(account, now);
              store.forgetFailuresBefore(account, now.minus(rules.window()));
              if (store.failuresSince(account, now.minus(rules.window())) < rules.maxFailures()) {
                return null;
              }
              row.status = "locked";
              row.lockedUntil = now.plus(rules.duration());
              store.saveVersion(row, "locked", now, BY);
              store.clearFailures(account);
              store.deleteChallenges(account);
              return row;
            });
    if (locked == null) {
      return false;
    }
    audit.signIn(
        AuditAction.LOCKOUT,
        AuditEvent.Outcome.SUCCESS,
        account,
        null,
        client,
        rules.maxFailures()
            + " failures within "
            + rules.window()
            + "; locked until "
            + locked.lockedUntil);
    return true;
  }

  /** After a successful sign-in: forget failures, and end a lock whose time is up. */
  void signedIn(UUID account) {
    Instant now = clock.instant();
    tx.executeWithoutResult(
        status -> {
          store.clearFailures(account);
          AccountRow row = store.lockById(account).orElseThrow();
          if ("locked".equals(row.status) && row.statusAt(now) == AccountStatus.ACTIVE) {
            row.status = "active";
            row.lockedUntil = null;
            store.saveVersion(row, "lock-ended", now, BY);
          }
        });
  }
}
