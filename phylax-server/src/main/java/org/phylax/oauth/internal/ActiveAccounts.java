package org.phylax.oauth.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.phylax.identity.Accounts;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Whether the account behind a user token may still act. Answers are kept for {@link #FRESHNESS} at
 * most, so a disabled or locked account's tokens stop working within that time on every node,
 * without a database query on each request.
 */
@Component
class ActiveAccounts {

  private final Duration freshness;

  private record Seen(boolean active, Instant at) {}

  private final Accounts accounts;
  private final Map<UUID, Seen> seen = new ConcurrentHashMap<>();

  ActiveAccounts(
      Accounts accounts, @Value("${phylax.oauth.account-freshness:30s}") Duration freshness) {
    if (freshness.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException("phylax.oauth.account-freshness must be at most 1m");
    }
    this.accounts = accounts;
    this.freshness = freshness;
  }

  boolean isActive(UUID accountId) {
    Instant now = Instant.now();
    Seen last = seen.get(accountId);
    if (last != null && last.at().plus(freshness).isAfter(now)) {
      return last.active();
    }
    boolean active =
        accounts.findById(accountId).map(a -> UserClaims.isActive(a, now)).orElse(false);
    if (seen.size() > 100_000) {
      seen.clear(); // bounded: at worst everyone is looked up again
    }
    seen.put(accountId, new Seen(active, now));
    return active;
  }
}
