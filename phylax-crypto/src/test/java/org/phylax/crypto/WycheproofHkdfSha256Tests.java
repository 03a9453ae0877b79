package org.phylax.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.crypto.tink.subtle.Hkdf;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Wycheproof HKDF-SHA256 vectors through Tink's {@link Hkdf}, the function behind the HKDF PRF that
 * derives each field's blind-index key.
 *
 * <p>hkdf_sha256_test.json holds 86 vectors and all run: 83 valid (including empty salts and the
 * maximal 8160-byte output) and 3 invalid, each asking for more than 255 × 32 bytes.
 */
class WycheproofHkdfSha256Tests {

  @Test
  void computeHkdfWhenWycheproofVectorsThenValidOutputsMatchAndOversizeThrows() {
    List<Wycheproof.Vector> all = Wycheproof.vectors("hkdf_sha256_test.json");
    List<String> failures = new ArrayList<>();
    int run = 0;
    int invalid = 0;
    for (Wycheproof.Vector v : all) {
      run++;
      try {
        byte[] okm =
            Hkdf.computeHkdf(
                "HMACSHA256",
                v.hex("ikm"),
                v.hex("salt"),
                v.hex("info"),
                v.test.get("size").getAsInt());
        if (!v.valid()) {
          failures.add(v + ": invalid request produced output");
        } else if (!Arrays.equals(okm, v.hex("okm"))) {
          failures.add(v + ": wrong output");
        }
      } catch (GeneralSecurityException e) {
        invalid++;
        if (v.valid()) {
          failures.add(v + ": valid request rejected: " + e.getMessage());
        }
      }
    }
    assertThat(failures).isEmpty();
    assertThat(run).isPositive().isEqualTo(86);
    assertThat(invalid).isEqualTo(3);
  }
}
