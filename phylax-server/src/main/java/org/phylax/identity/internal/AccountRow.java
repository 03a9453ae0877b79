package org.phylax.identity.internal;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.phylax.identity.AccountStatus;
import org.phylax.identity.Role;

/** One row of {@code user_account} with its roles, values still encrypted. Prints no value. */
final class AccountRow {
  UUID id;
  String username;
  byte[] displayName;
  Set<Role> roles;
  UUID practitionerId;
  UUID patientId;
  String status;
  Instant lockedUntil;
  String passwordHash;
  byte[] totpSecret;
  byte[] totpPending;
  Instant totpEnrolledAt;
  Long totpLastStep;
  long version;
  Instant createdAt;
  String createdBy;
  Instant updatedAt;
  String updatedBy;

  /** The status at {@code now}: a lock whose time is up counts as active. */
  AccountStatus statusAt(Instant now) {
    return switch (status) {
      case "disabled" -> AccountStatus.DISABLED;
      case "locked" -> lockedUntil.isAfter(now) ? AccountStatus.LOCKED : AccountStatus.ACTIVE;
      default -> AccountStatus.ACTIVE;
    };
  }

  boolean isWorkforce() {
    return roles.stream().anyMatch(Role::isWorkforce);
  }

  @Override
  public String toString() {
    return "AccountRow[id=" + id + ", status=" + status + "]";
  }
}
