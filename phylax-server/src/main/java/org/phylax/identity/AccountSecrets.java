package org.phylax.identity;

/**
 * Moves the identity module's encrypted values (display names, TOTP secrets) to the keyring's
 * primary key after a key rotation, for {@code ./phylax keys reencrypt}. Each account is rewritten
 * in its own short transaction; running it again resumes.
 */
public interface AccountSecrets {

  /** Re-encrypts every value not under the primary key; returns how many were rewritten. */
  long reencrypt();

  /** How many values are still under an older key. */
  long remaining();
}
