package org.phylax.identity;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * One user account as it stands: surrogate id, username, roles, the linked FHIR Practitioner or
 * Patient (surrogate ids), status, whether a TOTP second factor is enrolled, and who created and
 * last changed it. The display name is PHI for patients: {@code toString()} never prints it.
 */
public final class Account {

  private final UUID id;
  private final String username;
  private final String displayName;
  private final Set<Role> roles;
  private final UUID practitionerId;
  private final UUID patientId;
  private final AccountStatus status;
  private final Instant lockedUntil;
  private final boolean mfaEnrolled;
  private final long version;
  private final Instant createdAt;
  private final String createdBy;
  private final Instant updatedAt;
  private final String updatedBy;

  /** Made by the identity module only; other modules read accounts through {@link Accounts}. */
  public Account(
      UUID id,
      String username,
      String displayName,
      Set<Role> roles,
      UUID practitionerId,
      UUID patientId,
      AccountStatus status,
      Instant lockedUntil,
      boolean mfaEnrolled,
      long version,
      Instant createdAt,
      String createdBy,
      Instant updatedAt,
      String updatedBy) {
    this.id = id;
    this.username = username;
    this.displayName = displayName;
    this.roles = Set.copyOf(roles);
    this.practitionerId = practitionerId;
    this.patientId = patientId;
    this.status = status;
    this.lockedUntil = lockedUntil;
    this.mfaEnrolled = mfaEnrolled;
    this.version = version;
    this.createdAt = createdAt;
    this.createdBy = createdBy;
    this.updatedAt = updatedAt;
    this.updatedBy = updatedBy;
  }

  public UUID id() {
    return id;
  }

  public String username() {
    return username;
  }

  /** The name shown to people (PHI for patients); empty when none was given. */
  public Optional<String> displayName() {
    return Optional.ofNullable(displayName);
  }

  public Set<Role> roles() {
    return roles;
  }

  /** The roles' keys, sorted and comma-separated, as the audit log names them. */
  public String roleKeys() {
    return roles.stream().map(Role::key).sorted().collect(Collectors.joining(","));
  }

  /** Whether any role is a workforce role, for which a second factor is mandatory. */
  public boolean isWorkforce() {
    return roles.stream().anyMatch(Role::isWorkforce);
  }

  public Optional<UUID> practitionerId() {
    return Optional.ofNullable(practitionerId);
  }

  public Optional<UUID> patientId() {
    return Optional.ofNullable(patientId);
  }

  /** The status now: a lock whose time is up reads as {@link AccountStatus#ACTIVE}. */
  public AccountStatus status() {
    return status;
  }

  /** Until when a {@link AccountStatus#LOCKED} account stays locked. */
  public Optional<Instant> lockedUntil() {
    return Optional.ofNullable(lockedUntil);
  }

  public boolean mfaEnrolled() {
    return mfaEnrolled;
  }

  /** Bumped by every administrative change; each version is kept in the account's history. */
  public long version() {
    return version;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public String createdBy() {
    return createdBy;
  }

  public Instant updatedAt() {
    return updatedAt;
  }

  public String updatedBy() {
    return updatedBy;
  }

  @Override
  public String toString() {
    return "Account[id="
        + id
        + ", username="
        + username
        + ", roles="
        + roleKeys()
        + ", status="
        + status.key()
        + ", displayName=***]";
  }
}
