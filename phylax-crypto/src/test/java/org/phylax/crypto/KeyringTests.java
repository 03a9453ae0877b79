package org.phylax.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.PublicKeySign;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyringTests {

  private static final byte[] PLAINTEXT = "Orlaith Exampleton".getBytes(StandardCharsets.UTF_8);
  private static final FieldContext CONTEXT = FieldContext.of("Patient", "p-2001", 1, "name");
  private static final String KEYRING_ID = "kr-test-1";

  private final LocalKeyEncryptionKey masterKey = newMasterKey();

  @Test
  void generateThenHasOneEnabledPrimaryEncryptionKey() {
    List<Keyring.KeyInfo> keys = Keyring.generate().encryptionKeys();

    assertThat(keys).hasSize(1);
    assertThat(keys.get(0).primary()).isTrue();
    assertThat(keys.get(0).enabled()).isTrue();
  }

  @Test
  void rotateEncryptionKeyThenNewPrimaryEncryptsAndOldCiphertextsStillDecrypt() {
    Keyring before = Keyring.generate();
    byte[] old = before.fieldCipher().encrypt(PLAINTEXT, CONTEXT);
    int oldKeyId = before.fieldCipher().primaryKeyId();

    Keyring after = before.rotateEncryptionKey();
    FieldCipher cipher = after.fieldCipher();
    byte[] fresh = cipher.encrypt(PLAINTEXT, CONTEXT);

    assertThat(cipher.primaryKeyId()).isNotEqualTo(oldKeyId);
    assertThat(FieldCipher.keyIdOf(fresh)).isEqualTo(cipher.primaryKeyId());
    assertThat(cipher.decrypt(old, CONTEXT)).isEqualTo(PLAINTEXT);
    assertThat(after.encryptionKeys())
        .extracting(Keyring.KeyInfo::id)
        .containsExactly(cipher.primaryKeyId(), oldKeyId);
    assertThat(after.encryptionKeys().get(0).primary()).isTrue();
  }

  @Test
  void rotateEncryptionKeyThenOriginalKeyringIsUnchanged() {
    Keyring before = Keyring.generate();
    int primary = before.fieldCipher().primaryKeyId();

    before.rotateEncryptionKey();

    assertThat(before.encryptionKeys()).hasSize(1);
    assertThat(before.fieldCipher().primaryKeyId()).isEqualTo(primary);
  }

  @Test
  void retireEncryptionKeyWhenPrimaryThenRefuses() {
    Keyring keyring = Keyring.generate().rotateEncryptionKey();
    int primary = keyring.fieldCipher().primaryKeyId();

    assertThatThrownBy(() -> keyring.retireEncryptionKey(primary))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the primary key cannot be retired");
  }

  @Test
  void retireEncryptionKeyWhenUnknownIdThenRefuses() {
    Keyring keyring = Keyring.generate();
    int unknown = keyring.fieldCipher().primaryKeyId() + 1;

    assertThatThrownBy(() -> keyring.retireEncryptionKey(unknown))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no such key in the keyring");
  }

  @Test
  void retireEncryptionKeyThenItsCiphertextsThrowIntegrityExceptionAndOthersDecrypt() {
    Keyring first = Keyring.generate();
    byte[] old = first.fieldCipher().encrypt(PLAINTEXT, CONTEXT);
    int oldKeyId = first.fieldCipher().primaryKeyId();
    Keyring rotated = first.rotateEncryptionKey().rotateEncryptionKey();
    byte[] current = rotated.fieldCipher().encrypt(PLAINTEXT, CONTEXT);

    Keyring retired = rotated.retireEncryptionKey(oldKeyId);

    assertThat(retired.encryptionKeys())
        .hasSize(2)
        .extracting(Keyring.KeyInfo::id)
        .doesNotContain(oldKeyId);
    assertThatThrownBy(() -> retired.fieldCipher().decrypt(old, CONTEXT))
        .isInstanceOf(IntegrityException.class);
    assertThat(retired.fieldCipher().decrypt(current, CONTEXT)).isEqualTo(PLAINTEXT);
    assertThat(retired.fieldCipher().primaryKeyId())
        .isEqualTo(rotated.fieldCipher().primaryKeyId());
  }

  @Test
  void openWhenSealedWithSameMasterKeyThenEveryKeysetStillWorks() throws Exception {
    Keyring keyring = Keyring.generate().rotateEncryptionKey();
    byte[] ciphertext = keyring.fieldCipher().encrypt(PLAINTEXT, CONTEXT);
    byte[] token = keyring.blindIndex(8).token("name", "orlaith exampleton");
    byte[] entry = "audit entry 1".getBytes(StandardCharsets.UTF_8);
    byte[] signature = keyring.auditSigner().sign(entry);

    Keyring reopened = Keyring.open(keyring.seal(masterKey, KEYRING_ID), masterKey, KEYRING_ID);

    assertThat(reopened.fieldCipher().decrypt(ciphertext, CONTEXT)).isEqualTo(PLAINTEXT);
    assertThat(reopened.fieldCipher().primaryKeyId())
        .isEqualTo(keyring.fieldCipher().primaryKeyId());
    assertThat(reopened.encryptionKeys())
        .extracting(Keyring.KeyInfo::id)
        .containsExactlyElementsOf(
            keyring.encryptionKeys().stream().map(Keyring.KeyInfo::id).toList());
    assertThat(reopened.blindIndex(8).token("name", "orlaith exampleton")).isEqualTo(token);
    reopened.auditVerifier().verify(signature, entry);
  }

  @Test
  void openWhenAnotherMasterKeyThenThrowsWithExactMessage() {
    Keyring.Sealed sealed = Keyring.generate().seal(masterKey, KEYRING_ID);

    assertThatThrownBy(() -> Keyring.open(sealed, newMasterKey(), KEYRING_ID))
        .isInstanceOf(IntegrityException.class)
        .hasMessage("master key does not open keyring " + KEYRING_ID);
  }

  @Test
  void openWhenSealedUnderAnotherKeyringIdThenThrows() {
    Keyring.Sealed sealed = Keyring.generate().seal(masterKey, KEYRING_ID);

    assertThatThrownBy(() -> Keyring.open(sealed, masterKey, "kr-test-2"))
        .isInstanceOf(IntegrityException.class)
        .hasMessage("master key does not open keyring kr-test-2");
  }

  @Test
  void openWhenSealedKeysetsSwapPlacesThenThrows() {
    // Each keyset is bound to its purpose, so the PRF keyset cannot pose as the AEAD one.
    Keyring.Sealed sealed = Keyring.generate().seal(masterKey, KEYRING_ID);
    Keyring.Sealed swapped =
        new Keyring.Sealed(sealed.blindIndex(), sealed.encryption(), sealed.audit());

    assertThatThrownBy(() -> Keyring.open(swapped, masterKey, KEYRING_ID))
        .isInstanceOf(IntegrityException.class);
  }

  @Test
  void openWhenEncryptionKeysetTakenFromAnotherKeyringThenItsCiphertextsDoNotDecrypt() {
    // The three keysets are bound to the keyring id and their purpose, not to each other: a keyset
    // sealed under the same master key and id opens in another keyring's place (docs/crypto.md
    // says so). What must still hold is that it cannot decrypt the first keyring's values.
    Keyring first = Keyring.generate();
    Keyring.Sealed a = first.seal(masterKey, KEYRING_ID);
    Keyring.Sealed b = Keyring.generate().seal(masterKey, KEYRING_ID);
    Keyring mixed =
        Keyring.open(
            new Keyring.Sealed(b.encryption(), a.blindIndex(), a.audit()), masterKey, KEYRING_ID);
    byte[] ciphertext = first.fieldCipher().encrypt(PLAINTEXT, CONTEXT);

    assertThatThrownBy(() -> mixed.fieldCipher().decrypt(ciphertext, CONTEXT))
        .isInstanceOf(IntegrityException.class);
  }

  @Test
  void openWhenAnySealedByteAlteredThenThrowsIntegrityException() {
    Keyring.Sealed sealed = Keyring.generate().seal(masterKey, KEYRING_ID);
    byte[] encryption = sealed.encryption();

    for (int i = 0; i < encryption.length; i++) {
      byte[] altered = encryption.clone();
      altered[i] ^= 0x01;
      Keyring.Sealed tampered = new Keyring.Sealed(altered, sealed.blindIndex(), sealed.audit());
      assertThatThrownBy(() -> Keyring.open(tampered, masterKey, KEYRING_ID))
          .as("byte %d altered", i)
          .isInstanceOf(IntegrityException.class)
          .hasMessage("master key does not open keyring " + KEYRING_ID);
    }
  }

  @Test
  void openWhenSealedBytesAreNotAKeysetThenThrowsIntegrityException() {
    Keyring.Sealed sealed = Keyring.generate().seal(masterKey, KEYRING_ID);

    for (byte[] junk : new byte[][] {new byte[0], new byte[] {0x0a}, "not a keyset".getBytes()}) {
      Keyring.Sealed broken = new Keyring.Sealed(sealed.encryption(), junk, sealed.audit());
      assertThatThrownBy(() -> Keyring.open(broken, masterKey, KEYRING_ID))
          .isInstanceOf(IntegrityException.class)
          .hasMessage("master key does not open keyring " + KEYRING_ID);
    }
  }

  @Test
  void sealedWhenAccessorsCalledThenReturnCopies() {
    Keyring.Sealed sealed = Keyring.generate().seal(masterKey, KEYRING_ID);
    sealed.encryption()[0] ^= 1;

    assertThat(Keyring.open(sealed, masterKey, KEYRING_ID)).isNotNull();
  }

  @Test
  void auditVerifierWhenEntryAlteredThenRejectsSignature() throws Exception {
    Keyring keyring = Keyring.generate();
    PublicKeySign signer = keyring.auditSigner();
    byte[] signature = signer.sign("entry 7".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(
            () ->
                keyring
                    .auditVerifier()
                    .verify(signature, "entry 8".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(java.security.GeneralSecurityException.class);
  }

  @Test
  void toStringWhenPrintedThenShowsCountOnly() {
    assertThat(Keyring.generate().rotateEncryptionKey()).hasToString("Keyring[encryptionKeys=2]");
  }

  private static LocalKeyEncryptionKey newMasterKey() {
    return LocalKeyEncryptionKey.fromBase64(
        LocalKeyEncryptionKey.generateBase64(new SecureRandom()));
  }
}
