package org.phylax.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * The hash chain that makes the audit log tamper-evident row by row. Each event stores the hash of
 * the event before it and its own hash:
 *
 * <pre>
 *   hash(1) = SHA-256(genesis   || canonical bytes of event 1)
 *   hash(i) = SHA-256(hash(i-1) || canonical bytes of event i)
 * </pre>
 *
 * where {@code genesis} is 32 zero bytes and {@code ||} is plain concatenation, with no length or
 * separator: the previous hash always has exactly 32 bytes, so the split point is unambiguous.
 * Editing, deleting or reordering any event changes every hash after it. A rewrite of the whole
 * chain is caught by the signed {@link Checkpoint}s of the Merkle tree over these hashes.
 *
 * <p>What the canonical bytes of an event are is the audit module's business; this class only
 * requires that the same event always gives the same bytes.
 */
public final class AuditChain {

  /** Length in bytes of every chain hash. */
  public static final int HASH_LENGTH = 32;

  private AuditChain() {}

  /** The previous hash of the first event: 32 zero bytes. A fresh copy on each call. */
  public static byte[] genesis() {
    return new byte[HASH_LENGTH];
  }

  /**
   * The hash of an event: {@code SHA-256(prevHash || canonicalEventBytes)}.
   *
   * @param prevHash the previous event's hash, or {@link #genesis()} for the first event
   * @throws IllegalArgumentException when {@code prevHash} is not {@value #HASH_LENGTH} bytes
   */
  public static byte[] link(byte[] prevHash, byte[] canonicalEventBytes) {
    Objects.requireNonNull(prevHash, "prevHash");
    Objects.requireNonNull(canonicalEventBytes, "canonicalEventBytes");
    if (prevHash.length != HASH_LENGTH) {
      // Anything else would make the concatenation ambiguous between prevHash and the event.
      throw new IllegalArgumentException("prevHash must be " + HASH_LENGTH + " bytes");
    }
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      sha256.update(prevHash);
      return sha256.digest(canonicalEventBytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }
}
