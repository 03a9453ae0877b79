package org.phylax.access.internal;

import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.phylax.access.Subject;
import org.phylax.identity.Accounts;
import org.phylax.identity.ClientInfo;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.stereotype.Component;

/**
 * The subject behind a bearer token, read fresh for each request: a user's account as it is now (so
 * a disabled account is refused at once, whatever the token says), or a backend client.
 */
@Component
class ApiCallers {

  private final Accounts accounts;
  private final Clock clock;

  ApiCallers(Accounts accounts, ObjectProvider<Clock> clock) {
    this.accounts = accounts;
    this.clock = clock.getIfAvailable(Clock::systemUTC);
  }

  /** The subject, or empty when the token names an account that no longer exists. */
  Optional<Subject> subject(Jwt token) {
    String account = token.getClaimAsString("phylax_account");
    String client = token.getClaimAsString("client_id");
    if (account == null) {
      List<String> scopes = token.getClaimAsStringList("scope");
      return Optional.of(
          Subject.service(
              client == null ? token.getSubject() : client,
              new HashSet<>(scopes == null ? List.of() : scopes)));
    }
    UUID id;
    try {
      id = UUID.fromString(account);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    return accounts
        .findById(id)
        .map(a -> Subject.user(a, clock.instant()))
        .map(s -> client == null || "phylax-cli".equals(client) ? s : s.via(client));
  }

  static ClientInfo client(HttpServletRequest request) {
    return new ClientInfo(
        request.getRemoteAddr(),
        request.getHeader("User-Agent"),
        request.getHeader("X-Request-Id"));
  }
}
