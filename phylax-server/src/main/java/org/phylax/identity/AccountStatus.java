package org.phylax.identity;

/** Whether an account may sign in. A lock ends by itself when its time is up, or by an admin. */
public enum AccountStatus {
  ACTIVE,
  DISABLED,
  LOCKED;

  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
