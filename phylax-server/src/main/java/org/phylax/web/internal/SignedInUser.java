package org.phylax.web.internal;

import java.io.Serializable;
import java.util.List;
import java.util.UUID;
import org.springframework.security.core.AuthenticatedPrincipal;

/**
 * The principal of a web session: the account's id (which is also its name, so Spring Session
 * indexes sessions by account id), username and role keys. Stored serialized in the session table,
 * so it holds nothing that is PHI or secret: no display name, no link to a Patient.
 */
record SignedInUser(UUID accountId, String username, List<String> roles)
    implements AuthenticatedPrincipal, Serializable {

  private static final long serialVersionUID = 1L;

  SignedInUser {
    roles = List.copyOf(roles);
  }

  @Override
  public String getName() {
    return accountId.toString();
  }

  String roleKeys() {
    return String.join(",", roles);
  }
}
