package org.phylax.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.Mac;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.mac.HmacKey;
import com.google.crypto.tink.mac.HmacParameters;
import com.google.crypto.tink.mac.MacConfig;
import com.google.crypto.tink.subtle.PrfHmacJce;
import com.google.crypto.tink.util.SecretBytes;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Wycheproof HMAC-SHA256 vectors, the MAC under every blind-index token.
 *
 * <p>hmac_sha256_test.json holds 174 vectors (66 valid, 108 invalid); every one has a key of at
 * least 16 bytes and a tag of at least 10 bytes, Tink's minimums, so all 174 run through Tink's
 * {@link Mac}. The 87 with full 32-byte tags also run through {@link PrfHmacJce}, the class {@link
 * BlindIndex} computes tokens with: its output must equal the tag exactly when the vector is valid.
 */
class WycheproofHmacSha256Tests {

  @BeforeAll
  static void register() throws GeneralSecurityException {
    MacConfig.register();
  }

  @Test
  void verifyMacWhenWycheproofVectorsThenValidOnesPassAndInvalidOnesThrow() throws Exception {
    List<Wycheproof.Vector> all = Wycheproof.vectors("hmac_sha256_test.json");
    List<Wycheproof.Vector> applicable =
        all.stream().filter(v -> v.hex("key").length >= 16 && v.hex("tag").length >= 10).toList();
    List<String> failures = new ArrayList<>();
    int run = 0;
    for (Wycheproof.Vector v : applicable) {
      Mac mac = tinkMac(v.hex("key"), v.hex("tag").length);
      run++;
      try {
        mac.verifyMac(v.hex("tag"), v.hex("msg"));
        if (!v.valid()) {
          failures.add(v + ": invalid tag accepted");
        }
      } catch (GeneralSecurityException e) {
        if (v.valid()) {
          failures.add(v + ": valid tag rejected");
        }
      }
      if (v.valid() && !Arrays.equals(mac.computeMac(v.hex("msg")), v.hex("tag"))) {
        failures.add(v + ": computed tag differs");
      }
    }
    assertThat(failures).isEmpty();
    assertThat(run).isPositive().isEqualTo(applicable.size()).isEqualTo(all.size()).isEqualTo(174);
  }

  @Test
  void computeWhenFullLengthVectorsThenPrfHmacJceMatchesOnlyValidTags() throws Exception {
    List<String> failures = new ArrayList<>();
    int run = 0;
    for (Wycheproof.Vector v : Wycheproof.vectors("hmac_sha256_test.json")) {
      if (v.hex("tag").length != 32) {
        continue;
      }
      PrfHmacJce prf = new PrfHmacJce("HMACSHA256", new SecretKeySpec(v.hex("key"), "HMAC"));
      byte[] out = prf.compute(v.hex("msg"), 32);
      run++;
      if (Arrays.equals(out, v.hex("tag")) != v.valid()) {
        failures.add(v + ": PrfHmacJce disagrees with the vector's verdict");
      }
    }
    assertThat(failures).isEmpty();
    assertThat(run).isEqualTo(87);
  }

  private static Mac tinkMac(byte[] key, int tagBytes) throws GeneralSecurityException {
    HmacParameters parameters =
        HmacParameters.builder()
            .setKeySizeBytes(key.length)
            .setTagSizeBytes(tagBytes)
            .setHashType(HmacParameters.HashType.SHA256)
            .setVariant(HmacParameters.Variant.NO_PREFIX)
            .build();
    HmacKey hmacKey =
        HmacKey.builder()
            .setParameters(parameters)
            .setKeyBytes(SecretBytes.copyFrom(key, InsecureSecretKeyAccess.get()))
            .build();
    return KeysetHandle.newBuilder()
        .addEntry(KeysetHandle.importKey(hmacKey).withRandomId().makePrimary())
        .build()
        .getPrimitive(RegistryConfiguration.get(), Mac.class);
  }
}
