package org.phylax.fhir.internal;

import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.phylax.access.Subject;
import org.phylax.identity.Accounts;
import org.phylax.identity.ClientInfo;
import org.phylax.oauth.ApiCaller;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.stereotype.Component;

/**
 * Who is calling, from the bearer token the security chain verified: a user's account as it is now,
 * read fresh for every request so that a disable counts at once whatever the token says, or a
 * backend client with its scopes; and where the request came from, for the audit event.
 */
@Component
class FhirCallers {

  private final Accounts accounts;
  private final Clock clock;

  FhirCallers(Accounts accounts, ObjectProvider<Clock> clock) {
    this.accounts = accounts;
    this.clock = clock.getIfAvailable(Clock::systemUTC);
  }

  /** The caller of this request. */
  record Caller(Subject subject, ClientInfo client) {}

  Caller current(HttpServletRequest request) {
    Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
    if (!(authentication instanceof JwtAuthenticationToken jwt)) {
      throw new AuthenticationException("A bearer token is required (Authorization: Bearer …).");
    }
    // ApiCaller reads the client information the way every other endpoint does, and tells the
    // request log who the user is; roles come from the account below, not from the token.
    ApiCaller caller = ApiCaller.of(jwt.getToken(), request);
    String account = jwt.getToken().getClaimAsString("phylax_account");
    String client = jwt.getToken().getClaimAsString("client_id");
    if (account == null) {
      List<String> scopes = jwt.getToken().getClaimAsStringList("scope");
      return new Caller(
          Subject.service(
              client == null ? jwt.getToken().getSubject() : client,
              new HashSet<>(scopes == null ? List.of() : scopes)),
          caller.client());
    }
    UUID id = FhirTypes.uuid(account);
    Subject subject =
        (id == null
                ? java.util.Optional.<org.phylax.identity.Account>empty()
                : accounts.findById(id))
            .map(a -> Subject.user(a, clock.instant()))
            .map(s -> client == null || "phylax-cli".equals(client) ? s : s.via(client))
            .orElseThrow(
                () -> new AuthenticationException("The account of this token does not exist."));
    return new Caller(subject, caller.client());
  }
}
