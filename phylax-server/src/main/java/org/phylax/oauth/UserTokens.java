package org.phylax.oauth;

import java.time.Duration;
import java.time.Instant;

/**
 * Access tokens for users that an operator mints at the command line ({@code ./phylax users
 * token}), for scripts and tests. Each is an ordinary access token — the same claims, the same
 * checks on every request, revocable — and its issue is audited with the operator as actor.
 */
public interface UserTokens {

  /** The longest lifetime an operator may give a token. */
  Duration MAX_TTL = Duration.ofHours(1);

  /**
   * Issues a token for the account with this username.
   *
   * @throws IllegalArgumentException when there is no such account, it is not active, or the
   *     lifetime is not between 1 minute and {@link #MAX_TTL}
   */
  Issued issue(String username, Duration ttl, String operator);

  /** A token just issued. */
  record Issued(String token, Instant expiresAt) {
    @Override
    public String toString() {
      return "Issued[expiresAt=" + expiresAt + "]";
    }
  }
}
