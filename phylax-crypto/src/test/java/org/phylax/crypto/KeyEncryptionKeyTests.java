package org.phylax.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.KmsClient;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyEncryptionKeyTests {

  private static final String KEY_URI = "test-kms://keys/master-1";
  private static final String OTHER_URI = "test-kms://keys/master-2";
  private static final FieldContext CONTEXT = FieldContext.of("Patient", "p-3001", 1, "name");

  @Test
  void fromBase64WhenSameKeyThenSameFingerprintAndOpensWhatTheOtherSealed() {
    String base64 = LocalKeyEncryptionKey.generateBase64(new SecureRandom());
    LocalKeyEncryptionKey a = LocalKeyEncryptionKey.fromBase64(base64);
    LocalKeyEncryptionKey b = LocalKeyEncryptionKey.fromBase64("  " + base64 + "\n");
    Keyring keyring = Keyring.generate();
    byte[] ciphertext = keyring.fieldCipher().encrypt(new byte[] {42}, CONTEXT);

    Keyring reopened = Keyring.open(keyring.seal(a, "kr"), b, "kr");

    assertThat(a.fingerprint()).isEqualTo(b.fingerprint());
    assertThat(reopened.fieldCipher().decrypt(ciphertext, CONTEXT)).containsExactly(42);
  }

  @Test
  void fingerprintWhenComputedThenIsLabelledSha256PrefixAndHidesKey() throws Exception {
    byte[] key = new byte[32];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) (0xa0 + i);
    }
    String base64 = Base64.getEncoder().encodeToString(key);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    sha.update("phylax.master-key.fingerprint.v1".getBytes(StandardCharsets.US_ASCII));
    String expected = "local:" + HexFormat.of().formatHex(sha.digest(key), 0, 8);

    LocalKeyEncryptionKey kek = LocalKeyEncryptionKey.fromBase64(base64);

    assertThat(kek.fingerprint()).isEqualTo(expected).hasSize(6 + 16);
    assertThat(kek.toString())
        .isEqualTo("LocalKeyEncryptionKey[" + expected + "]")
        .doesNotContain(base64)
        .doesNotContainIgnoringCase(HexFormat.of().formatHex(key));
  }

  @Test
  void fromBase64WhenDifferentKeysThenDifferentFingerprints() {
    SecureRandom random = new SecureRandom();
    LocalKeyEncryptionKey a =
        LocalKeyEncryptionKey.fromBase64(LocalKeyEncryptionKey.generateBase64(random));
    LocalKeyEncryptionKey b =
        LocalKeyEncryptionKey.fromBase64(LocalKeyEncryptionKey.generateBase64(random));

    assertThat(a.fingerprint()).isNotEqualTo(b.fingerprint());
  }

  @Test
  void fromBase64WhenNotThirtyTwoBytesThenThrowsWithoutEchoingInput() {
    String sixteen = Base64.getEncoder().encodeToString(new byte[16]);
    String notBase64 = "this is not base64 at all!";

    assertThatThrownBy(() -> LocalKeyEncryptionKey.fromBase64(sixteen))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a master key is 32 bytes");
    assertThatThrownBy(() -> LocalKeyEncryptionKey.fromBase64(notBase64))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining(notBase64)
        .hasNoCause();
  }

  @Test
  void generateBase64ThenDecodesToThirtyTwoFreshBytes() {
    SecureRandom random = new SecureRandom();
    String a = LocalKeyEncryptionKey.generateBase64(random);

    assertThat(Base64.getDecoder().decode(a)).hasSize(32);
    assertThat(LocalKeyEncryptionKey.generateBase64(random)).isNotEqualTo(a);
  }

  @Test
  void kmsKeyWhenSealedAndOpenedThroughClientThenKeyringRoundTrips() {
    StandInKmsClient kms = new StandInKmsClient();
    KmsKeyEncryptionKey kek = KmsKeyEncryptionKey.of(kms, KEY_URI);
    Keyring keyring = Keyring.generate();
    byte[] ciphertext = keyring.fieldCipher().encrypt(new byte[] {7, 7}, CONTEXT);

    Keyring.Sealed sealed = keyring.seal(kek, "kr-kms");
    Keyring reopened = Keyring.open(sealed, KmsKeyEncryptionKey.of(kms, KEY_URI), "kr-kms");

    assertThat(reopened.fieldCipher().decrypt(ciphertext, CONTEXT)).containsExactly(7, 7);
    assertThat(kek.fingerprint()).isEqualTo(KEY_URI);
    assertThat(kek).hasToString("KmsKeyEncryptionKey[" + KEY_URI + "]");
  }

  @Test
  void kmsKeyWhenAnotherKeyOfSameKmsThenOpenThrows() {
    StandInKmsClient kms = new StandInKmsClient();
    Keyring.Sealed sealed = Keyring.generate().seal(KmsKeyEncryptionKey.of(kms, KEY_URI), "kr-kms");

    assertThatThrownBy(() -> Keyring.open(sealed, KmsKeyEncryptionKey.of(kms, OTHER_URI), "kr-kms"))
        .isInstanceOf(IntegrityException.class)
        .hasMessage("master key does not open keyring kr-kms");
  }

  @Test
  void kmsKeyWhenClientDoesNotHandleUriThenThrows() {
    StandInKmsClient kms = new StandInKmsClient();

    assertThatThrownBy(() -> KmsKeyEncryptionKey.of(kms, "aws-kms://arn:aws:kms:us-east-1:1:key/x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the KMS client does not handle this key URI");
    assertThatThrownBy(() -> KmsKeyEncryptionKey.of(kms, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void kmsKeyWhenClientCannotReachKeyThenThrowsNamingUri() {
    StandInKmsClient kms = new StandInKmsClient();
    String missing = "test-kms://keys/missing";

    assertThatThrownBy(() -> KmsKeyEncryptionKey.of(kms, missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot reach the KMS key " + missing);
  }

  @Test
  void sealWhenKmsFailsThenThrowsIllegalState() {
    Aead unavailable =
        new Aead() {
          @Override
          public byte[] encrypt(byte[] plaintext, byte[] associatedData)
              throws GeneralSecurityException {
            throw new GeneralSecurityException("KMS unavailable");
          }

          @Override
          public byte[] decrypt(byte[] ciphertext, byte[] associatedData)
              throws GeneralSecurityException {
            throw new GeneralSecurityException("KMS unavailable");
          }
        };
    KeyEncryptionKey kek =
        KmsKeyEncryptionKey.of(new StandInKmsClient(Map.of(KEY_URI, unavailable)), KEY_URI);

    assertThatThrownBy(() -> Keyring.generate().seal(kek, "kr-kms"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the master key cannot seal the keyring");
  }

  @Test
  void openWhenKmsClientFailsUncheckedThenIllegalStateNamingUriNotWrongKey() {
    // AWS SDK v1 reports missing credentials and network failures as unchecked exceptions, which
    // Tink's AwsKmsAead does not convert; this stand-in fails the same way.
    StandInKmsClient kms = new StandInKmsClient();
    Keyring.Sealed sealed = Keyring.generate().seal(KmsKeyEncryptionKey.of(kms, KEY_URI), "kr-kms");
    Aead offline =
        new Aead() {
          @Override
          public byte[] encrypt(byte[] plaintext, byte[] associatedData) {
            throw new RuntimeException("Unable to execute HTTP request: connect timed out");
          }

          @Override
          public byte[] decrypt(byte[] ciphertext, byte[] associatedData) {
            throw new RuntimeException("Unable to execute HTTP request: connect timed out");
          }
        };
    KeyEncryptionKey kek =
        KmsKeyEncryptionKey.of(new StandInKmsClient(Map.of(KEY_URI, offline)), KEY_URI);

    assertThatThrownBy(() -> Keyring.open(sealed, kek, "kr-kms"))
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("cannot use the KMS key " + KEY_URI)
        .hasCauseInstanceOf(RuntimeException.class);
    assertThatThrownBy(() -> Keyring.generate().seal(kek, "kr-kms"))
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("cannot use the KMS key " + KEY_URI);
  }

  @Test
  void awsWhenUriIsNotAwsKmsThenThrows() {
    assertThatThrownBy(
            () ->
                KmsKeyEncryptionKey.aws("gcp-kms://projects/p/locations/l/keyRings/r/cryptoKeys/k"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("an AWS KMS key URI starts with aws-kms://");
    assertThatThrownBy(() -> KmsKeyEncryptionKey.aws(null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void awsWhenArnUriThenBuildsWithoutContactingKms() {
    String uri =
        "aws-kms://arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    KmsKeyEncryptionKey kek = KmsKeyEncryptionKey.aws(uri);

    assertThat(kek.fingerprint()).isEqualTo(uri);
  }

  @Test
  void awsWhenUriIsNotAnArnThenThrowsIllegalArgument() {
    assertThatThrownBy(() -> KmsKeyEncryptionKey.aws("aws-kms://not-an-arn"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * A KMS that runs in the test: each key URI maps to a Tink AES-256-GCM AEAD generated here. A
   * cloud KMS cannot be reached from the build, and this exercises the same {@link KmsClient}
   * contract {@code tink-awskms} implements.
   */
  static final class StandInKmsClient implements KmsClient {
    private final Map<String, Aead> keys;

    StandInKmsClient() {
      this(Map.of(KEY_URI, newAead(), OTHER_URI, newAead()));
    }

    StandInKmsClient(Map<String, Aead> keys) {
      this.keys = keys;
    }

    @Override
    public boolean doesSupport(String keyUri) {
      return keyUri != null && keyUri.startsWith("test-kms://");
    }

    @Override
    public KmsClient withCredentials(String credentialPath) {
      return this;
    }

    @Override
    public KmsClient withDefaultCredentials() {
      return this;
    }

    @Override
    public Aead getAead(String keyUri) throws GeneralSecurityException {
      Aead aead = keys.get(keyUri);
      if (aead == null) {
        throw new GeneralSecurityException("no such key");
      }
      return aead;
    }

    private static Aead newAead() {
      try {
        AeadConfig.register();
        return KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM)
            .getPrimitive(RegistryConfiguration.get(), Aead.class);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
