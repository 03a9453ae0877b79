package org.phylax.keys;

import org.phylax.crypto.KeyEncryptionKey;
import org.phylax.crypto.KmsKeyEncryptionKey;
import org.phylax.crypto.LocalKeyEncryptionKey;

/**
 * Reads a master key as operators write it in {@code PHYLAX_MASTER_KEY} or {@code
 * PHYLAX_NEW_MASTER_KEY}: the base64 encoding of 32 random bytes, or an AWS KMS key URI.
 */
public final class MasterKeyText {

  private MasterKeyText() {}

  /**
   * @throws IllegalArgumentException when the text is neither (the message never repeats it)
   */
  public static KeyEncryptionKey parse(String text) {
    String value = text.strip();
    if (value.startsWith("aws-kms://")) {
      return KmsKeyEncryptionKey.aws(value);
    }
    try {
      return LocalKeyEncryptionKey.fromBase64(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "must be the base64 encoding of 32 random bytes, or an AWS KMS key URI");
    }
  }
}
