package org.phylax.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.aead.internal.InsecureNonceAesGcmJce;
import com.google.crypto.tink.util.SecretBytes;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Wycheproof AES-GCM vectors through the exact Tink configuration {@link FieldCipher} runs with:
 * AES-256, 96-bit nonce, 128-bit tag, TINK output prefix, a keyset primitive from {@link
 * RegistryConfiguration}.
 *
 * <p>aes_gcm_test.json holds 316 vectors; 66 use that configuration (39 valid, 27 invalid, all
 * invalid ones with a modified tag) and run here. The other 250 use 128- or 192-bit keys or nonces
 * other than 96 bits, which Phylax never creates, so they are not run.
 */
class WycheproofAesGcmTests {

  private static final int APPLICABLE = 66;
  private static final int KEY_ID = 0x5eed_cafe;

  private static final AesGcmParameters PHYLAX_PARAMETERS = parameters();

  @BeforeAll
  static void register() throws GeneralSecurityException {
    AeadConfig.register();
  }

  @Test
  void vectorParametersWhenComparedThenAreThoseKeyringGenerates() {
    // If Phylax ever moved off AES256_GCM this suite would be testing the wrong thing.
    assertThat(PredefinedAeadParameters.AES256_GCM).isEqualTo(PHYLAX_PARAMETERS);
  }

  @Test
  void decryptWhenWycheproofVectorsThenValidOnesOpenAndInvalidOnesThrow() throws Exception {
    List<Wycheproof.Vector> applicable = applicableVectors();
    List<String> failures = new ArrayList<>();
    int run = 0;
    int valid = 0;
    for (Wycheproof.Vector v : applicable) {
      Aead aead = keysetAead(v.hex("key"));
      byte[] ciphertext = concat(prefix(), v.hex("iv"), v.hex("ct"), v.hex("tag"));
      run++;
      try {
        byte[] plaintext = aead.decrypt(ciphertext, v.hex("aad"));
        if (!v.valid()) {
          failures.add(v + ": invalid vector decrypted");
        } else if (!Arrays.equals(plaintext, v.hex("msg"))) {
          failures.add(v + ": wrong plaintext");
        } else {
          valid++;
        }
      } catch (GeneralSecurityException e) {
        if (v.valid()) {
          failures.add(v + ": valid vector rejected: " + e.getMessage());
        }
      }
    }
    assertThat(failures).isEmpty();
    assertThat(run).isPositive().isEqualTo(applicable.size()).isEqualTo(APPLICABLE);
    assertThat(valid).isEqualTo(39);
  }

  @Test
  void encryptWhenNonceFixedToVectorThenOutputIsVectorCiphertextAndTag() throws Exception {
    // Tink's AesGcmJce draws a random nonce and then calls this class; fixing the nonce lets the
    // encryption direction be compared byte for byte with the vectors.
    int compared = 0;
    for (Wycheproof.Vector v : applicableVectors()) {
      if (!v.valid()) {
        continue;
      }
      InsecureNonceAesGcmJce gcm = new InsecureNonceAesGcmJce(v.hex("key"));
      byte[] out = gcm.encrypt(v.hex("iv"), v.hex("msg"), v.hex("aad"));
      assertThat(out).as(v.toString()).isEqualTo(concat(v.hex("ct"), v.hex("tag")));
      compared++;
    }
    assertThat(compared).isEqualTo(39);
  }

  @Test
  void decryptWhenValidVectorUnderOtherKeyIdThenThrows() throws Exception {
    Wycheproof.Vector v =
        applicableVectors().stream().filter(Wycheproof.Vector::valid).findFirst().orElseThrow();
    Aead aead = keysetAead(v.hex("key"));
    byte[] otherPrefix = prefix();
    otherPrefix[4] ^= 1;
    byte[] ciphertext = concat(otherPrefix, v.hex("iv"), v.hex("ct"), v.hex("tag"));

    assertThatThrownBy(() -> aead.decrypt(ciphertext, v.hex("aad")))
        .isInstanceOf(GeneralSecurityException.class);
  }

  private static List<Wycheproof.Vector> applicableVectors() {
    List<Wycheproof.Vector> all = Wycheproof.vectors("aes_gcm_test.json");
    assertThat(all).hasSize(316);
    return all.stream()
        .filter(
            v ->
                v.groupInt("keySize") == 256
                    && v.groupInt("ivSize") == 96
                    && v.groupInt("tagSize") == 128)
        .toList();
  }

  private static Aead keysetAead(byte[] key) throws GeneralSecurityException {
    AesGcmKey aesKey =
        AesGcmKey.builder()
            .setParameters(PHYLAX_PARAMETERS)
            .setKeyBytes(SecretBytes.copyFrom(key, InsecureSecretKeyAccess.get()))
            .setIdRequirement(KEY_ID)
            .build();
    return KeysetHandle.newBuilder()
        .addEntry(KeysetHandle.importKey(aesKey).withFixedId(KEY_ID).makePrimary())
        .build()
        .getPrimitive(RegistryConfiguration.get(), Aead.class);
  }

  private static byte[] prefix() {
    return ByteBuffer.allocate(5).put((byte) 0x01).putInt(KEY_ID).array();
  }

  private static AesGcmParameters parameters() {
    try {
      return AesGcmParameters.builder()
          .setKeySizeBytes(32)
          .setIvSizeBytes(12)
          .setTagSizeBytes(16)
          .setVariant(AesGcmParameters.Variant.TINK)
          .build();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    ByteBuffer out = ByteBuffer.allocate(length);
    for (byte[] part : parts) {
      out.put(part);
    }
    return out.array();
  }
}
