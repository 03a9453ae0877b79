package org.phylax.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.aead.internal.InsecureNonceAesGcmJce;
import com.google.crypto.tink.util.SecretBytes;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class FieldCipherTests {

  // Synthetic: no real person is named anywhere in the tests.
  private static final byte[] PLAINTEXT =
      "Quillon Testerby, born 1971-04-02".getBytes(StandardCharsets.UTF_8);
  private static final FieldContext CONTEXT = FieldContext.of("Patient", "p-1001", 3, "name");

  private final Keyring keyring = Keyring.generate();
  private final FieldCipher cipher = keyring.fieldCipher();

  @Test
  void decryptWhenEncryptedInSameContextThenReturnsPlaintext() {
    byte[] ciphertext = cipher.encrypt(PLAINTEXT, CONTEXT);

    assertThat(cipher.decrypt(ciphertext, CONTEXT)).isEqualTo(PLAINTEXT);
  }

  @Test
  void encryptWhenPlaintextEmptyThenRoundTripsInOverheadBytes() {
    byte[] ciphertext = cipher.encrypt(new byte[0], CONTEXT);

    assertThat(ciphertext).hasSize(FieldCipher.OVERHEAD);
    assertThat(cipher.decrypt(ciphertext, CONTEXT)).isEmpty();
  }

  @Test
  void encryptWhenCalledTwiceThenCiphertextsDiffer() {
    // A fresh nonce per value: equal values must not be linkable through their ciphertexts.
    assertThat(cipher.encrypt(PLAINTEXT, CONTEXT)).isNotEqualTo(cipher.encrypt(PLAINTEXT, CONTEXT));
  }

  @Test
  void encryptThenCiphertextNamesPrimaryKeyAndAddsOverhead() {
    byte[] ciphertext = cipher.encrypt(PLAINTEXT, CONTEXT);

    assertThat(ciphertext).hasSize(PLAINTEXT.length + FieldCipher.OVERHEAD);
    assertThat(ciphertext[0]).isEqualTo((byte) 0x01);
    assertThat(FieldCipher.keyIdOf(ciphertext)).isEqualTo(cipher.primaryKeyId());
  }

  @Test
  void encryptWhenKeyKnownThenStandardAesGcmOpensDocumentedLayout() throws Exception {
    // Decrypting with plain AES-GCM, a hand-parsed layout and hand-encoded associated data checks
    // the documented format independently of FieldCipher's own decrypt.
    byte[] key = new byte[32];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) i;
    }
    int keyId = 0x0a0b0c0d;
    AesGcmKey aesKey =
        AesGcmKey.builder()
            .setParameters(PredefinedAeadParameters.AES256_GCM)
            .setKeyBytes(SecretBytes.copyFrom(key, InsecureSecretKeyAccess.get()))
            .setIdRequirement(keyId)
            .build();
    FieldCipher known =
        FieldCipher.of(
            KeysetHandle.newBuilder()
                .addEntry(KeysetHandle.importKey(aesKey).withFixedId(keyId).makePrimary())
                .build());

    byte[] ciphertext = known.encrypt(PLAINTEXT, CONTEXT);

    assertThat(Arrays.copyOfRange(ciphertext, 0, 5))
        .isEqualTo(new byte[] {0x01, 0x0a, 0x0b, 0x0c, 0x0d});
    byte[] nonce = Arrays.copyOfRange(ciphertext, 5, 17);
    byte[] body = Arrays.copyOfRange(ciphertext, 17, ciphertext.length);
    byte[] ad = handEncoded("Patient", "p-1001", "3", "name");
    assertThat(new InsecureNonceAesGcmJce(key).decrypt(nonce, body, ad)).isEqualTo(PLAINTEXT);
  }

  @Test
  void decryptWhenNonceFlippedThenThrowsIntegrityException() {
    assertFlipFails(5, 16);
  }

  @Test
  void decryptWhenCiphertextBodyFlippedThenThrowsIntegrityException() {
    assertFlipFails(17, 17 + PLAINTEXT.length - 1);
  }

  @Test
  void decryptWhenTagFlippedThenThrowsIntegrityException() {
    assertFlipFails(17 + PLAINTEXT.length, 17 + PLAINTEXT.length + 15);
  }

  @Test
  void decryptWhenKeyIdInPrefixChangedThenThrowsIntegrityException() {
    assertFlipFails(0, 4);
  }

  @Test
  void decryptWhenResourceIdDiffersThenThrowsIntegrityException() {
    assertMovedFails(FieldContext.of("Patient", "p-1002", 3, "name"));
  }

  @Test
  void decryptWhenVersionDiffersThenThrowsIntegrityException() {
    assertMovedFails(FieldContext.of("Patient", "p-1001", 4, "name"));
  }

  @Test
  void decryptWhenFieldDiffersThenThrowsIntegrityException() {
    assertMovedFails(FieldContext.of("Patient", "p-1001", 3, "birthDate"));
  }

  @Test
  void decryptWhenResourceTypeDiffersThenThrowsIntegrityException() {
    assertMovedFails(FieldContext.of("Practitioner", "p-1001", 3, "name"));
  }

  @Test
  void decryptWhenTruncatedToAnyLengthThenThrowsIntegrityException() {
    byte[] ciphertext = cipher.encrypt(PLAINTEXT, CONTEXT);

    for (int length = 0; length < ciphertext.length; length++) {
      byte[] truncated = Arrays.copyOf(ciphertext, length);
      assertThatThrownBy(() -> cipher.decrypt(truncated, CONTEXT))
          .as("truncated to %d bytes", length)
          .isInstanceOf(IntegrityException.class);
    }
    assertThatThrownBy(() -> cipher.decrypt(null, CONTEXT)).isInstanceOf(IntegrityException.class);
  }

  @Test
  void decryptWhenBytesAppendedThenThrowsIntegrityException() {
    byte[] ciphertext = cipher.encrypt(PLAINTEXT, CONTEXT);
    byte[] longer = Arrays.copyOf(ciphertext, ciphertext.length + 1);

    assertThatThrownBy(() -> cipher.decrypt(longer, CONTEXT))
        .isInstanceOf(IntegrityException.class);
  }

  @Test
  void decryptWhenFromAnotherKeyringThenThrowsIntegrityException() {
    byte[] foreign = Keyring.generate().fieldCipher().encrypt(PLAINTEXT, CONTEXT);

    assertThatThrownBy(() -> cipher.decrypt(foreign, CONTEXT))
        .isInstanceOf(IntegrityException.class);
  }

  @Test
  void decryptWhenPrefixRewrittenToOwnKeyIdThenThrowsIntegrityException() {
    // Another keyring's ciphertext relabelled with this keyring's key id: the prefix routes it to
    // our key, and the tag still refuses it.
    byte[] foreign = Keyring.generate().fieldCipher().encrypt(PLAINTEXT, CONTEXT);
    ByteBuffer.wrap(foreign).putInt(1, cipher.primaryKeyId());

    assertThat(FieldCipher.keyIdOf(foreign)).isEqualTo(cipher.primaryKeyId());
    assertThatThrownBy(() -> cipher.decrypt(foreign, CONTEXT))
        .isInstanceOf(IntegrityException.class);
  }

  @Test
  void decryptWhenAnyBitFlippedThenThrowsIntegrityException() {
    byte[] ciphertext = cipher.encrypt("Ana Q.".getBytes(StandardCharsets.UTF_8), CONTEXT);

    for (int bit = 0; bit < ciphertext.length * 8; bit++) {
      byte[] altered = ciphertext.clone();
      altered[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThatThrownBy(() -> cipher.decrypt(altered, CONTEXT))
          .as("bit %d flipped", bit)
          .isInstanceOf(IntegrityException.class);
    }
  }

  @Test
  void decryptWhenFailingThenMessageHoldsNoPlaintextOrCiphertext() {
    String secret = "Zephyrine Samplewood";
    byte[] ciphertext = cipher.encrypt(secret.getBytes(StandardCharsets.UTF_8), CONTEXT);
    byte[] altered = ciphertext.clone();
    altered[altered.length - 1] ^= 1;

    assertThatThrownBy(() -> cipher.decrypt(altered, CONTEXT))
        .isInstanceOf(IntegrityException.class)
        .hasNoCause()
        .satisfies(
            e ->
                assertThat(e.getMessage())
                    .contains("Patient/p-1001")
                    .doesNotContain(secret)
                    .doesNotContainIgnoringCase(HexFormat.of().formatHex(ciphertext))
                    .doesNotContain(Base64.getEncoder().encodeToString(ciphertext)));
  }

  @Test
  void keyIdOfWhenNoPrefixThenThrowsIntegrityException() {
    assertThatThrownBy(() -> FieldCipher.keyIdOf(new byte[] {0x00, 1, 2, 3, 4}))
        .isInstanceOf(IntegrityException.class);
    assertThatThrownBy(() -> FieldCipher.keyIdOf(new byte[] {0x01, 1, 2}))
        .isInstanceOf(IntegrityException.class);
  }

  @Test
  void toStringWhenPrintedThenShowsKeyIdOnly() {
    assertThat(cipher.toString())
        .isEqualTo(
            "FieldCipher[primaryKeyId=" + Integer.toUnsignedString(cipher.primaryKeyId()) + "]");
  }

  private void assertFlipFails(int fromByte, int toByteInclusive) {
    byte[] ciphertext = cipher.encrypt(PLAINTEXT, CONTEXT);
    for (int i = fromByte; i <= toByteInclusive; i++) {
      byte[] altered = ciphertext.clone();
      altered[i] ^= 0x01;
      assertThatThrownBy(() -> cipher.decrypt(altered, CONTEXT))
          .as("byte %d flipped", i)
          .isInstanceOf(IntegrityException.class);
    }
  }

  private void assertMovedFails(FieldContext elsewhere) {
    byte[] ciphertext = cipher.encrypt(PLAINTEXT, CONTEXT);

    assertThatThrownBy(() -> cipher.decrypt(ciphertext, elsewhere))
        .isInstanceOf(IntegrityException.class);
  }

  private static byte[] handEncoded(String... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("phylax.field.v1".getBytes(StandardCharsets.US_ASCII));
    for (String part : parts) {
      byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
      out.writeBytes(ByteBuffer.allocate(4).putInt(bytes.length).array());
      out.writeBytes(bytes);
    }
    return out.toByteArray();
  }
}
