package org.phylax.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import java.security.GeneralSecurityException;

/**
 * Encrypts PHI values with AES-256-GCM (Tink AEAD, random 96-bit nonce per value, 128-bit tag).
 * Each ciphertext starts with Tink's 5-byte prefix that names its key (0x01 and the 4-byte key id),
 * so decryption goes straight to that key, never by trial, and a keyring keeps old keys for old
 * values until re-encryption has moved them. Every value is bound to its {@link FieldContext}.
 *
 * <p>Layout: {@code 0x01 | key id (4) | nonce (12) | ciphertext | tag (16)}; 33 bytes of overhead.
 */
public final class FieldCipher {

  /** Bytes a ciphertext adds to its plaintext: prefix 5, nonce 12, tag 16. */
  public static final int OVERHEAD = 33;

  private final Aead aead;
  private final int primaryKeyId;

  private FieldCipher(Aead aead, int primaryKeyId) {
    this.aead = aead;
    this.primaryKeyId = primaryKeyId;
  }

  /** A cipher over an AES-256-GCM keyset; encrypts under its primary key, decrypts under any. */
  public static FieldCipher of(KeysetHandle keyset) {
    try {
      Keysets.register();
      return new FieldCipher(
          keyset.getPrimitive(RegistryConfiguration.get(), Aead.class),
          keyset.getPrimary().getId());
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an AEAD keyset", e);
    }
  }

  public byte[] encrypt(byte[] plaintext, FieldContext context) {
    try {
      return aead.encrypt(plaintext, context.associatedData());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("encryption failed", e);
    }
  }

  /**
   * @throws IntegrityException when the value was altered, moved, truncated or sealed under a key
   *     this keyring lacks
   */
  public byte[] decrypt(byte[] ciphertext, FieldContext context) {
    if (ciphertext == null || ciphertext.length < OVERHEAD) {
      throw new IntegrityException("encrypted value is truncated (" + context + ")");
    }
    try {
      return aead.decrypt(ciphertext, context.associatedData());
    } catch (GeneralSecurityException e) {
      throw new IntegrityException(
          "encrypted value failed its integrity check: altered, moved from another place, or"
              + " under an unknown key ("
              + context
              + ")");
    }
  }

  /** The key id new values are encrypted under. */
  public int primaryKeyId() {
    return primaryKeyId;
  }

  /** The key id named in a ciphertext's prefix. */
  public static int keyIdOf(byte[] ciphertext) {
    if (ciphertext == null || ciphertext.length < 5 || ciphertext[0] != 0x01) {
      throw new IntegrityException("encrypted value has no key prefix");
    }
    return ((ciphertext[1] & 0xff) << 24)
        | ((ciphertext[2] & 0xff) << 16)
        | ((ciphertext[3] & 0xff) << 8)
        | (ciphertext[4] & 0xff);
  }

  @Override
  public String toString() {
    return "FieldCipher[primaryKeyId=" + Integer.toUnsignedString(primaryKeyId) + "]";
  }
}
