package org.phylax.keys;

/**
 * Encrypted values a module keeps outside the record store and the accounts (break-glass reasons,
 * alert notes …), which {@code ./phylax keys reencrypt} moves to the primary key after a rotation
 * and {@code keys retire} counts through {@link KeyUsage}. Each value is rewritten in its own short
 * transaction, so running it again resumes.
 */
public interface SealedValues extends KeyUsage {

  /** What the values are, for the operator: "break-glass reasons and review notes". */
  String description();

  /** How many values are still under a key other than the primary. */
  long remaining();

  /** Re-encrypts every value not under the primary key; returns how many were rewritten. */
  long reencrypt();
}
