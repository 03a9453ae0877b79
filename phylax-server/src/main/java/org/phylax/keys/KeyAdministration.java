package org.phylax.keys;

import java.util.List;
import org.phylax.crypto.KeyEncryptionKey;

/** The operations behind {@code ./phylax keys …}; each is recorded in {@code keyring_event}. */
public interface KeyAdministration {

  /** Creates the keyring unless it exists; returns its id. Idempotent. */
  String init();

  KeyringStatus status();

  /** Adds a new encryption key and makes it primary; returns its id (unsigned decimal). */
  String rotate();

  /**
   * Removes an encryption key that protects nothing any more.
   *
   * @throws IllegalArgumentException naming why not: primary, unknown, or still in use
   */
  void retire(String keyId);

  /** Re-seals the keyring under {@code newKey}; the old master key stops opening it. */
  void rotateMaster(KeyEncryptionKey newKey);

  /** What {@code keys status} prints. */
  record KeyringStatus(
      String keyringId,
      long generation,
      String masterKeyFingerprint,
      boolean sealedByDevKey,
      java.time.Instant createdAt,
      List<KeyStatus> keys) {}

  /** One encryption key: id, primary or not, when it became primary, how many values use it. */
  record KeyStatus(String id, boolean primary, java.time.Instant since, long values) {}
}
