package org.phylax.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KmsClient;
import java.security.GeneralSecurityException;

/**
 * A master key that never leaves a cloud KMS: Tink's KMS integration gives an {@link Aead} whose
 * every call is a request to the KMS. For AWS KMS the URI is {@code
 * aws-kms://arn:aws:kms:REGION:ACCOUNT:key/KEY-ID}, with credentials from the AWS default chain
 * (environment, profile, instance role); see docs/crypto.md.
 *
 * <p>A KMS that cannot be reached (no credentials, network down, time-out) is reported as an {@link
 * IllegalStateException} naming the key URI, never as "wrong key": Tink's AWS integration turns
 * only the KMS's own refusals into {@link GeneralSecurityException}, and lets the SDK's client-side
 * failures escape unchecked.
 */
public final class KmsKeyEncryptionKey implements KeyEncryptionKey {

  private final String keyUri;
  private final Aead aead;

  private KmsKeyEncryptionKey(String keyUri, Aead aead) {
    this.keyUri = keyUri;
    this.aead = aead;
  }

  /**
   * The key at {@code keyUri} through {@code client}, which must support the URI.
   *
   * @throws IllegalArgumentException when the client does not handle such URIs
   */
  public static KmsKeyEncryptionKey of(KmsClient client, String keyUri) {
    if (keyUri == null || !client.doesSupport(keyUri)) {
      throw new IllegalArgumentException("the KMS client does not handle this key URI");
    }
    try {
      return new KmsKeyEncryptionKey(keyUri, reported(keyUri, client.getAead(keyUri)));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot reach the KMS key " + keyUri, e);
    }
  }

  /** AWS KMS through Tink's {@code tink-awskms}, credentials from the AWS default chain. */
  public static KmsKeyEncryptionKey aws(String keyUri) {
    if (keyUri == null || !keyUri.startsWith("aws-kms://")) {
      throw new IllegalArgumentException("an AWS KMS key URI starts with aws-kms://");
    }
    try {
      return of(
          new com.google.crypto.tink.integration.awskms.AwsKmsClient(keyUri)
              .withDefaultCredentials(),
          keyUri);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot set up the AWS KMS client for " + keyUri, e);
    }
  }

  private static Aead reported(String keyUri, Aead kms) {
    return new Aead() {
      @Override
      public byte[] encrypt(byte[] plaintext, byte[] associatedData)
          throws GeneralSecurityException {
        try {
          return kms.encrypt(plaintext, associatedData);
        } catch (RuntimeException e) {
          throw unreachable(keyUri, e);
        }
      }

      @Override
      public byte[] decrypt(byte[] ciphertext, byte[] associatedData)
          throws GeneralSecurityException {
        try {
          return kms.decrypt(ciphertext, associatedData);
        } catch (RuntimeException e) {
          throw unreachable(keyUri, e);
        }
      }
    };
  }

  private static IllegalStateException unreachable(String keyUri, RuntimeException e) {
    return new IllegalStateException("cannot use the KMS key " + keyUri, e);
  }

  @Override
  public Aead aead() {
    return aead;
  }

  @Override
  public String fingerprint() {
    return keyUri;
  }

  @Override
  public String toString() {
    return "KmsKeyEncryptionKey[" + keyUri + "]";
  }
}
