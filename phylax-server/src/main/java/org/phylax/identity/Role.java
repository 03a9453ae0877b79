package org.phylax.identity;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a user does in the clinic. Every role but {@link #PATIENT} is a workforce role, which must
 * sign in with a second factor; patients may add one.
 */
public enum Role {
  PHYSICIAN,
  NURSE,
  FRONT_DESK,
  BILLING,
  COMPLIANCE_OFFICER,
  ADMIN,
  PATIENT;

  /** The name as stored and typed: {@code front_desk}. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean isWorkforce() {
    return this != PATIENT;
  }

  /**
   * The role named {@code key} ({@code front_desk}; {@code front-desk} is accepted too).
   *
   * @throws IllegalArgumentException naming the known roles
   */
  public static Role of(String key) {
    String wanted = key == null ? "" : key.strip().toLowerCase(Locale.ROOT).replace('-', '_');
    for (Role role : values()) {
      if (role.key().equals(wanted)) {
        return role;
      }
    }
    throw new IllegalArgumentException("unknown role '" + key + "' (roles: " + allKeys() + ")");
  }

  /** Every role's key, comma-separated, for messages. */
  public static String allKeys() {
    return Arrays.stream(values()).map(Role::key).collect(Collectors.joining(", "));
  }
}
