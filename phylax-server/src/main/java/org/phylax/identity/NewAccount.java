package org.phylax.identity;

import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;

/**
 * What it takes to create an account: username, at least one role, at most one link (a Practitioner
 * for workforce, a Patient for portal users), an optional display name and the first password.
 * Checked by {@link Accounts#create}, which refuses the whole account when any part is wrong.
 * {@code toString()} prints neither the password nor the display name.
 */
public final class NewAccount {

  private final String username;
  private final Set<Role> roles;
  private final UUID practitionerId;
  private final UUID patientId;
  private final String displayName;
  private final String password;

  private NewAccount(Builder b) {
    this.username = b.username;
    this.roles = b.roles.isEmpty() ? Set.of() : Set.copyOf(b.roles);
    this.practitionerId = b.practitionerId;
    this.patientId = b.patientId;
    this.displayName = b.displayName;
    this.password = b.password;
  }

  public static Builder builder(String username) {
    return new Builder(username);
  }

  public String username() {
    return username;
  }

  public Set<Role> roles() {
    return roles;
  }

  public UUID practitionerId() {
    return practitionerId;
  }

  public UUID patientId() {
    return patientId;
  }

  public String displayName() {
    return displayName;
  }

  public String password() {
    return password;
  }

  @Override
  public String toString() {
    return "NewAccount[username=" + username + ", roles=" + roles + "]";
  }

  /** Builds a {@link NewAccount}. */
  public static final class Builder {
    private final String username;
    private final Set<Role> roles = EnumSet.noneOf(Role.class);
    private UUID practitionerId;
    private UUID patientId;
    private String displayName;
    private String password;

    private Builder(String username) {
      this.username = username;
    }

    public Builder role(Role role) {
      roles.add(role);
      return this;
    }

    public Builder roles(Set<Role> values) {
      roles.addAll(values);
      return this;
    }

    public Builder practitioner(UUID id) {
      practitionerId = id;
      return this;
    }

    public Builder patient(UUID id) {
      patientId = id;
      return this;
    }

    public Builder displayName(String value) {
      displayName = value;
      return this;
    }

    public Builder password(String value) {
      password = value;
      return this;
    }

    public NewAccount build() {
      return new NewAccount(this);
    }
  }
}
