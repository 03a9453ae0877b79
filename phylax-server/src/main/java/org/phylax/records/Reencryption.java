package org.phylax.records;

import org.phylax.access.Permit;

/**
 * Moves every stored body (current rows and all history) that is not under the keyring's primary
 * key to it, after a key rotation. Works in batches, each its own transaction, so it can be stopped
 * at any time and resumed by calling it again; it runs alongside normal reads and writes, locking
 * only the rows of the batch in hand ({@code FOR UPDATE SKIP LOCKED}) and changing only their
 * ciphertext and key id. Needs a system permit (one that covers every patient).
 */
public interface Reencryption {

  /** Re-encrypts at most {@code batchSize} values and commits. */
  Progress runBatch(Permit permit, int batchSize);

  /** Runs batches until no value is left under an old key. */
  Progress runToCompletion(Permit permit, int batchSize);

  /** How many values are still under an old key, without changing anything. */
  Progress progress();

  /** Values rewritten by the call that returned this, and values still under an old key. */
  record Progress(long done, long remaining) {}
}
