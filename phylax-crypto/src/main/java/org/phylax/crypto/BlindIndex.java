package org.phylax.crypto;

import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.prf.Prf;
import com.google.crypto.tink.prf.PrfSet;
import com.google.crypto.tink.subtle.PrfHmacJce;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.spec.SecretKeySpec;

/**
 * Search tokens for PHI: HMAC-SHA256 of a normalized value (see {@link Normalizers}) under a key of
 * its own for each field, truncated to {@link #tokenBytes()}. The per-field key is derived with
 * HKDF-SHA256 from the keyring's blind-index key (Tink's HKDF PRF, info {@code
 * phylax.blind-index.v1:FIELD}), so equal values in different fields give unrelated tokens.
 *
 * <p>Truncation trades search precision for less leakage. With t-byte tokens and N distinct values
 * in a field, a lookup matches a wrong value with probability about N / 2^(8t): for the default t =
 * 8 and ten million rows, about 5 in 10^13 lookups. Callers decrypt what a token finds and drop
 * rows whose value does not match, so a false positive costs time, never a wrong answer.
 */
public final class BlindIndex {

  /** The default token length in bytes. */
  public static final int DEFAULT_TOKEN_BYTES = 8;

  private static final String INFO_PREFIX = "phylax.blind-index.v1:";

  private final PrfSet root;
  private final int tokenBytes;
  private final ConcurrentHashMap<String, Prf> fieldKeys = new ConcurrentHashMap<>();

  private BlindIndex(PrfSet root, int tokenBytes) {
    this.root = root;
    this.tokenBytes = tokenBytes;
  }

  /** Over an HKDF-SHA256 PRF keyset; tokens of {@code tokenBytes} (4 to 32) bytes. */
  public static BlindIndex of(KeysetHandle prfKeyset, int tokenBytes) {
    if (tokenBytes < 4 || tokenBytes > 32) {
      throw new IllegalArgumentException("blind-index tokens are 4 to 32 bytes");
    }
    try {
      Keysets.register();
      return new BlindIndex(
          prfKeyset.getPrimitive(RegistryConfiguration.get(), PrfSet.class), tokenBytes);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not a PRF keyset", e);
    }
  }

  /** The token of an already normalized value in {@code field}. */
  public byte[] token(String field, String normalizedValue) {
    try {
      return fieldKey(field).compute(normalizedValue.getBytes(StandardCharsets.UTF_8), tokenBytes);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("blind index computation failed", e);
    }
  }

  public int tokenBytes() {
    return tokenBytes;
  }

  private Prf fieldKey(String field) {
    return fieldKeys.computeIfAbsent(
        field,
        f -> {
          byte[] key = null;
          try {
            key = root.computePrimary((INFO_PREFIX + f).getBytes(StandardCharsets.UTF_8), 32);
            return new PrfHmacJce("HMACSHA256", new SecretKeySpec(key, "HMAC"));
          } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot derive the blind-index key of a field", e);
          } finally {
            if (key != null) {
              Arrays.fill(key, (byte) 0);
            }
          }
        });
  }

  @Override
  public String toString() {
    return "BlindIndex[tokenBytes=" + tokenBytes + "]";
  }
}
