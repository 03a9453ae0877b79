package org.phylax.crypto;

/**
 * A protected value failed its integrity check: it was altered, copied from another place (row,
 * version or field), truncated, or sealed under a key this keyring does not hold. The message says
 * only that; it never carries plaintext, ciphertext or key material.
 */
public final class IntegrityException extends RuntimeException {

  public IntegrityException(String message) {
    super(message);
  }
}
