package org.phylax.oauth.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.phylax.identity.Account;
import org.phylax.identity.AccountStatus;
import org.phylax.identity.Role;

/** What a user's access token says about them, whoever issues it. */
final class UserClaims {

  /** The claim that marks a user token and names the account (its surrogate id). */
  static final String ACCOUNT = "phylax_account";

  private UserClaims() {}

  /** Adds the account id, the role keys and, where linked, {@code fhirUser}. */
  static void add(Account account, BiConsumer<String, Object> claim) {
    claim.accept(ACCOUNT, account.id().toString());
    // Mutable lists: the claims are also stored as authorization metadata, whose JSON reader
    // accepts ordinary collection types only.
    claim.accept(
        "roles",
        account.roles().stream()
            .map(Role::key)
            .sorted()
            .collect(Collectors.toCollection(ArrayList::new)));
    account.practitionerId().ifPresent(id -> claim.accept("fhirUser", "Practitioner/" + id));
    account.patientId().ifPresent(id -> claim.accept("fhirUser", "Patient/" + id));
    account.patientId().ifPresent(id -> claim.accept("patient", id.toString()));
  }

  /**
   * The scopes an operator-issued token carries: the user's own data for patients, everything the
   * user may do for the workforce (the access policy still decides each request).
   */
  static Set<String> scopes(Account account) {
    return account.isWorkforce() ? Set.of("user/*.cruds") : Set.of("patient/*.rs");
  }

  /** Whether the account may act now: active, or locked with the lock's time up. */
  static boolean isActive(Account account, Instant now) {
    return account.status() == AccountStatus.ACTIVE
        || (account.status() == AccountStatus.LOCKED
            && account.lockedUntil().map(until -> !until.isAfter(now)).orElse(false));
  }
}
