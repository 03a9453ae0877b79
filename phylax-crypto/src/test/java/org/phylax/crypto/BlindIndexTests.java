package org.phylax.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.prf.HkdfPrfKey;
import com.google.crypto.tink.prf.PredefinedPrfParameters;
import com.google.crypto.tink.util.SecretBytes;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BlindIndexTests {

  private final Keyring keyring = Keyring.generate();
  private final BlindIndex index = keyring.blindIndex(BlindIndex.DEFAULT_TOKEN_BYTES);

  @Test
  void tokenWhenKeyKnownThenMatchesIndependentHkdfAndHmac() throws Exception {
    // Expected values were computed outside Java (Python's hmac and hashlib, HKDF written out
    // from RFC 5869) for the root key 0x40..0x5f: field key = HKDF-SHA256(root, no salt,
    // "phylax.blind-index.v1:" + field, 32), token = HMAC-SHA256(field key, value) truncated.
    byte[] root = new byte[32];
    for (int i = 0; i < root.length; i++) {
      root[i] = (byte) (0x40 + i);
    }
    HkdfPrfKey key =
        HkdfPrfKey.builder()
            .setParameters(PredefinedPrfParameters.HKDF_SHA256)
            .setKeyBytes(SecretBytes.copyFrom(root, InsecureSecretKeyAccess.get()))
            .build();
    KeysetHandle keyset =
        KeysetHandle.newBuilder()
            .addEntry(KeysetHandle.importKey(key).withRandomId().makePrimary())
            .build();

    assertThat(hex(BlindIndex.of(keyset, 8).token("name", "quillon testerby")))
        .isEqualTo("6b25c6aee4e2217e");
    assertThat(hex(BlindIndex.of(keyset, 32).token("name", "quillon testerby")))
        .isEqualTo("6b25c6aee4e2217e6e7657db6fbb62b59ce99df8d3d4d3fe3f25da7a97aa8185");
    assertThat(hex(BlindIndex.of(keyset, 8).token("ssn", "123456789")))
        .isEqualTo("ec71201a1b31d575");
  }

  @Test
  void tokenWhenSameValueAndFieldThenSameToken() {
    assertThat(index.token("name", "quillon testerby"))
        .isEqualTo(index.token("name", "quillon testerby"))
        .isEqualTo(keyring.blindIndex(8).token("name", "quillon testerby"));
  }

  @Test
  void tokenWhenDifferentValueThenDifferentToken() {
    assertThat(index.token("name", "quillon testerby"))
        .isNotEqualTo(index.token("name", "quillon testerbi"));
  }

  @Test
  void tokenWhenDifferentFieldThenDifferentToken() {
    // The same string as a name and as a mother's maiden name must not be linkable.
    assertThat(index.token("name", "quillon testerby"))
        .isNotEqualTo(index.token("mothersMaidenName", "quillon testerby"));
  }

  @Test
  void tokenWhenDifferentKeyringThenDifferentToken() {
    BlindIndex other = Keyring.generate().blindIndex(8);

    assertThat(index.token("name", "quillon testerby"))
        .isNotEqualTo(other.token("name", "quillon testerby"));
  }

  @Test
  void tokenWhenLengthConfiguredThenHasThatLengthAndIsPrefixOfLonger() {
    byte[] full = keyring.blindIndex(32).token("name", "quillon testerby");

    for (int bytes : new int[] {4, 8, 16, 32}) {
      byte[] token = keyring.blindIndex(bytes).token("name", "quillon testerby");
      assertThat(token).hasSize(bytes).isEqualTo(java.util.Arrays.copyOf(full, bytes));
    }
  }

  @Test
  void tokenWhenEmptyValueThenStillATokenOfConfiguredLength() {
    assertThat(index.token("name", "")).hasSize(8);
  }

  @Test
  void ofWhenTokenLengthOutOfRangeThenThrows() {
    assertThatThrownBy(() -> keyring.blindIndex(3)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> keyring.blindIndex(33)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ofWhenKeysetIsNotPrfThenThrows() {
    KeysetHandle aead = keysetOf(PredefinedAeadParameters.AES256_GCM);

    assertThatThrownBy(() -> BlindIndex.of(aead, 8))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a PRF keyset");
  }

  @Test
  void tokenWhenManyThreadsDeriveFieldKeysAtOnceThenAllAgree() throws Exception {
    BlindIndex fresh = keyring.blindIndex(8);
    byte[] expected = index.token("name", "quillon testerby");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<byte[]>> results =
          IntStream.range(0, 200)
              .mapToObj(i -> pool.submit(() -> fresh.token("name", "quillon testerby")))
              .toList();
      for (Future<byte[]> result : results) {
        assertThat(result.get()).isEqualTo(expected);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void toStringWhenPrintedThenShowsLengthOnly() {
    assertThat(index).hasToString("BlindIndex[tokenBytes=8]");
  }

  private static KeysetHandle keysetOf(com.google.crypto.tink.Parameters parameters) {
    try {
      com.google.crypto.tink.aead.AeadConfig.register();
      return KeysetHandle.generateNew(parameters);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
