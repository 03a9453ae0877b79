package org.phylax.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.util.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A master key held by the operator as 32 random bytes (base64 in {@code PHYLAX_MASTER_KEY} or a
 * file): AES-256-GCM through Tink. Its fingerprint is the first 8 bytes of SHA-256 over a fixed
 * label and the key, so it names the key without revealing it.
 */
public final class LocalKeyEncryptionKey implements KeyEncryptionKey {

  private final Aead aead;
  private final String fingerprint;

  private LocalKeyEncryptionKey(byte[] key) {
    if (key.length != 32) {
      throw new IllegalArgumentException("a master key is 32 bytes");
    }
    try {
      Keysets.register();
      AesGcmParameters parameters =
          AesGcmParameters.builder()
              .setKeySizeBytes(32)
              .setIvSizeBytes(12)
              .setTagSizeBytes(16)
              .setVariant(AesGcmParameters.Variant.NO_PREFIX)
              .build();
      AesGcmKey aesKey =
          AesGcmKey.builder()
              .setParameters(parameters)
              .setKeyBytes(SecretBytes.copyFrom(key, InsecureSecretKeyAccess.get()))
              .build();
      this.aead =
          KeysetHandle.newBuilder()
              .addEntry(KeysetHandle.importKey(aesKey).withRandomId().makePrimary())
              .build()
              .getPrimitive(RegistryConfiguration.get(), Aead.class);
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update("phylax.master-key.fingerprint.v1".getBytes(StandardCharsets.US_ASCII));
      this.fingerprint = "local:" + HexFormat.of().formatHex(sha.digest(key), 0, 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the master key", e);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /** From the base64 text of 32 bytes (surrounding white space ignored). */
  public static LocalKeyEncryptionKey fromBase64(String base64) {
    byte[] key;
    try {
      key = Base64.getDecoder().decode(base64.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("a master key is the base64 encoding of 32 bytes");
    }
    return new LocalKeyEncryptionKey(key);
  }

  /** A new random master key, as base64 text. */
  public static String generateBase64(SecureRandom random) {
    byte[] key = new byte[32];
    random.nextBytes(key);
    try {
      return Base64.getEncoder().encodeToString(key);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  @Override
  public Aead aead() {
    return aead;
  }

  @Override
  public String fingerprint() {
    return fingerprint;
  }

  @Override
  public String toString() {
    return "LocalKeyEncryptionKey[" + fingerprint + "]";
  }
}
