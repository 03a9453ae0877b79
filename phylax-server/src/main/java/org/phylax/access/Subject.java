package org.phylax.access;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.phylax.identity.Account;
import org.phylax.identity.AccountStatus;
import org.phylax.identity.Role;

/**
 * Who asks: a user (from their account as it is now) or a backend service (an OAuth client with its
 * scopes). Build it from a freshly read account for each request, so that a disabled account is
 * refused at once.
 */
public final class Subject {

  private final UUID accountId;
  private final Set<Role> roles;
  private final UUID practitionerId;
  private final UUID patientId;
  private final boolean active;
  private final String clientId;
  private final Set<String> scopes;

  private Subject(
      UUID accountId,
      Set<Role> roles,
      UUID practitionerId,
      UUID patientId,
      boolean active,
      String clientId,
      Set<String> scopes) {
    this.accountId = accountId;
    this.roles = roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
    this.practitionerId = practitionerId;
    this.patientId = patientId;
    this.active = active;
    this.clientId = clientId;
    this.scopes = Set.copyOf(scopes);
  }

  /** A user, acting at {@code now} (a lock whose time is up no longer counts). */
  public static Subject user(Account account, Instant now) {
    boolean active =
        account.status() == AccountStatus.ACTIVE
            || (account.status() == AccountStatus.LOCKED
                && account.lockedUntil().map(until -> !until.isAfter(now)).orElse(false));
    return new Subject(
        account.id(),
        account.roles(),
        account.practitionerId().orElse(null),
        account.patientId().orElse(null),
        active,
        null,
        Set.of());
  }

  /** A user acting through an app (authorization code): the app's client id is recorded too. */
  public Subject via(String client) {
    return new Subject(accountId, roles, practitionerId, patientId, active, client, scopes);
  }

  /** A backend service (client credentials) with its {@code system/…} scopes. */
  public static Subject service(String clientId, Set<String> scopes) {
    if (clientId == null || clientId.isBlank()) {
      throw new IllegalArgumentException("a service subject names its client");
    }
    return new Subject(null, Set.of(), null, null, true, clientId, scopes);
  }

  public boolean isService() {
    return accountId == null;
  }

  public Optional<UUID> accountId() {
    return Optional.ofNullable(accountId);
  }

  public Set<Role> roles() {
    return roles;
  }

  public boolean has(Role role) {
    return roles.contains(role);
  }

  public Optional<UUID> practitionerId() {
    return Optional.ofNullable(practitionerId);
  }

  public Optional<UUID> patientId() {
    return Optional.ofNullable(patientId);
  }

  /** Whether the account may act (not disabled, not locked); a service is always active here. */
  public boolean isActive() {
    return active;
  }

  public Optional<String> clientId() {
    return Optional.ofNullable(clientId);
  }

  public Set<String> scopes() {
    return scopes;
  }

  /** The actor as the audit log names it: the account id, or {@code client:<id>}. */
  public String actor() {
    return accountId != null ? accountId.toString() : "client:" + clientId;
  }

  /** The role keys, comma-separated, sorted; empty for a service. */
  public String roleKeys() {
    return String.join(",", roles.stream().map(Role::key).sorted().toList());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Subject s
        && Objects.equals(accountId, s.accountId)
        && Objects.equals(clientId, s.clientId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(accountId, clientId);
  }

  @Override
  public String toString() {
    return "Subject[" + actor() + ", roles=" + roleKeys() + "]";
  }
}
