package org.phylax.crypto;

import com.google.crypto.tink.Aead;

/**
 * The operator's master key, which wraps (encrypts) the keyring's data keysets. Phylax never stores
 * it: it comes from {@code PHYLAX_MASTER_KEY}, a file, or a cloud KMS. Implementations: {@link
 * LocalKeyEncryptionKey} and {@link KmsKeyEncryptionKey}.
 */
public interface KeyEncryptionKey {

  /** The AEAD that wraps and unwraps keysets. */
  Aead aead();

  /**
   * A short, non-secret name of this key, fit for logs and messages: a fingerprint for a local key,
   * the key URI for a KMS key.
   */
  String fingerprint();
}
