package org.phylax.crypto;

import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.Parameters;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.prf.PrfConfig;
import com.google.crypto.tink.signature.SignatureConfig;
import java.security.GeneralSecurityException;

/** Registration of the Tink primitives Phylax uses, and keyset generation and rotation. */
final class Keysets {

  private static volatile boolean registered;

  private Keysets() {}

  static void register() {
    if (registered) {
      return;
    }
    try {
      AeadConfig.register();
      PrfConfig.register();
      SignatureConfig.register();
      registered = true;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Tink cannot register its primitives", e);
    }
  }

  static KeysetHandle generate(Parameters parameters) {
    register();
    try {
      return KeysetHandle.generateNew(parameters);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("key generation failed", e);
    }
  }

  /** The keyset with one more key, made primary; the old keys stay for decryption. */
  static KeysetHandle rotate(KeysetHandle keyset, Parameters parameters) {
    register();
    try {
      return KeysetHandle.newBuilder(keyset)
          .addEntry(
              KeysetHandle.generateEntryFromParameters(parameters).withRandomId().makePrimary())
          .build();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("key rotation failed", e);
    }
  }
}
