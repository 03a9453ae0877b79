package org.phylax.crypto;

import com.google.crypto.tink.KeyStatus;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.PublicKeySign;
import com.google.crypto.tink.PublicKeyVerify;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.prf.PredefinedPrfParameters;
import com.google.crypto.tink.signature.PredefinedSignatureParameters;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;

/**
 * Phylax's data keys: an AES-256-GCM keyset for field encryption, an HKDF-SHA256 keyset for blind
 * indexes, and an Ed25519 keyset for audit signatures. Immutable: rotation and retirement return a
 * new keyring. At rest it exists only {@link #seal sealed} by the master key, each keyset bound to
 * the keyring id and its purpose.
 */
public final class Keyring {

  private final KeysetHandle encryption;
  private final KeysetHandle blindIndex;
  private final KeysetHandle audit;

  private Keyring(KeysetHandle encryption, KeysetHandle blindIndex, KeysetHandle audit) {
    this.encryption = encryption;
    this.blindIndex = blindIndex;
    this.audit = audit;
  }

  /** A new keyring with one fresh key of each kind. */
  public static Keyring generate() {
    return new Keyring(
        Keysets.generate(PredefinedAeadParameters.AES256_GCM),
        Keysets.generate(PredefinedPrfParameters.HKDF_SHA256),
        Keysets.generate(PredefinedSignatureParameters.ED25519));
  }

  /** A new encryption key becomes primary; the others stay to decrypt what they encrypted. */
  public Keyring rotateEncryptionKey() {
    return new Keyring(
        Keysets.rotate(encryption, PredefinedAeadParameters.AES256_GCM), blindIndex, audit);
  }

  /**
   * The keyring without encryption key {@code keyId}. The caller must first make sure nothing is
   * still encrypted under it.
   *
   * @throws IllegalArgumentException when it is the primary key or not in the keyring
   */
  public Keyring retireEncryptionKey(int keyId) {
    try {
      KeysetHandle.Builder builder = KeysetHandle.newBuilder(encryption);
      for (int i = 0; i < encryption.size(); i++) {
        KeysetHandle.Entry entry = encryption.getAt(i); // the builder keeps the handle's order
        if (entry.getId() == keyId) {
          if (entry.isPrimary()) {
            throw new IllegalArgumentException("the primary key cannot be retired");
          }
          builder.deleteAt(i);
          return new Keyring(builder.build(), blindIndex, audit);
        }
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot rebuild the encryption keyset", e);
    }
    throw new IllegalArgumentException("no such key in the keyring");
  }

  /** The encryption keys, primary first. */
  public List<KeyInfo> encryptionKeys() {
    List<KeyInfo> keys = new ArrayList<>();
    for (int i = 0; i < encryption.size(); i++) {
      KeysetHandle.Entry entry = encryption.getAt(i);
      KeyInfo info =
          new KeyInfo(entry.getId(), entry.isPrimary(), entry.getStatus() == KeyStatus.ENABLED);
      if (entry.isPrimary()) {
        keys.add(0, info);
      } else {
        keys.add(info);
      }
    }
    return List.copyOf(keys);
  }

  public FieldCipher fieldCipher() {
    return FieldCipher.of(encryption);
  }

  public BlindIndex blindIndex(int tokenBytes) {
    return BlindIndex.of(blindIndex, tokenBytes);
  }

  public PublicKeySign auditSigner() {
    try {
      return audit.getPrimitive(RegistryConfiguration.get(), PublicKeySign.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the audit keyset cannot sign", e);
    }
  }

  public PublicKeyVerify auditVerifier() {
    try {
      return audit
          .getPublicKeysetHandle()
          .getPrimitive(RegistryConfiguration.get(), PublicKeyVerify.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the audit keyset cannot verify", e);
    }
  }

  /**
   * The primary audit key's id as 8 lowercase hex digits, the form {@link Checkpoint} notes name
   * their signing key in.
   */
  public String auditKeyId() {
    return String.format("%08x", audit.getPrimary().getId());
  }

  /** The keyring encrypted under {@code kek}, each keyset bound to {@code keyringId}. */
  public Sealed seal(KeyEncryptionKey kek, String keyringId) {
    try {
      return new Sealed(
          TinkProtoKeysetFormat.serializeEncryptedKeyset(
              encryption, kek.aead(), binding(keyringId, "encryption")),
          TinkProtoKeysetFormat.serializeEncryptedKeyset(
              blindIndex, kek.aead(), binding(keyringId, "blind-index")),
          TinkProtoKeysetFormat.serializeEncryptedKeyset(
              audit, kek.aead(), binding(keyringId, "audit")));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the master key cannot seal the keyring", e);
    }
  }

  /**
   * Opens a sealed keyring.
   *
   * @throws IntegrityException "master key does not open keyring ID" when {@code kek} is not the
   *     key it was sealed with, or the sealed bytes were altered or belong to another keyring
   * @throws IllegalStateException when the master key cannot be used at all (a KMS that cannot be
   *     reached), which says nothing about whether it is the right key
   */
  public static Keyring open(Sealed sealed, KeyEncryptionKey kek, String keyringId) {
    Keysets.register();
    try {
      return new Keyring(
          TinkProtoKeysetFormat.parseEncryptedKeyset(
              sealed.encryption(), kek.aead(), binding(keyringId, "encryption")),
          TinkProtoKeysetFormat.parseEncryptedKeyset(
              sealed.blindIndex(), kek.aead(), binding(keyringId, "blind-index")),
          TinkProtoKeysetFormat.parseEncryptedKeyset(
              sealed.audit(), kek.aead(), binding(keyringId, "audit")));
    } catch (GeneralSecurityException e) {
      throw new IntegrityException("master key does not open keyring " + keyringId);
    }
  }

  private static byte[] binding(String keyringId, String purpose) {
    return ("phylax.keyring.v1|" + keyringId + "|" + purpose).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "Keyring[encryptionKeys=" + encryptionKeys().size() + "]";
  }

  /** One encryption key: its id (as in ciphertext prefixes), whether primary, whether enabled. */
  public static final class KeyInfo {
    private final int id;
    private final boolean primary;
    private final boolean enabled;

    KeyInfo(int id, boolean primary, boolean enabled) {
      this.id = id;
      this.primary = primary;
      this.enabled = enabled;
    }

    public int id() {
      return id;
    }

    /** The id as Phylax prints it: unsigned decimal. */
    public String displayId() {
      return Integer.toUnsignedString(id);
    }

    public boolean primary() {
      return primary;
    }

    public boolean enabled() {
      return enabled;
    }

    @Override
    public String toString() {
      return displayId() + (primary ? " (primary)" : "");
    }
  }

  /** The three keysets, each encrypted under the master key. Holds no secret in clear. */
  public static final class Sealed {
    private final byte[] encryption;
    private final byte[] blindIndex;
    private final byte[] audit;

    public Sealed(byte[] encryption, byte[] blindIndex, byte[] audit) {
      this.encryption = encryption.clone();
      this.blindIndex = blindIndex.clone();
      this.audit = audit.clone();
    }

    public byte[] encryption() {
      return encryption.clone();
    }

    public byte[] blindIndex() {
      return blindIndex.clone();
    }

    public byte[] audit() {
      return audit.clone();
    }
  }
}
