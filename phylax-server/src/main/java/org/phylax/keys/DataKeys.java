package org.phylax.keys;

import org.phylax.crypto.BlindIndex;
import org.phylax.crypto.FieldCipher;

/**
 * The current data keys, opened with the master key. Values always come from the newest keyring
 * generation this node has seen; a rotation made anywhere reaches every node within the refresh
 * interval ({@code phylax.keys.refresh-interval}, 30 s).
 */
public interface DataKeys {

  FieldCipher fieldCipher();

  BlindIndex blindIndex();

  /** Signs audit checkpoints with the keyring's Ed25519 key. */
  com.google.crypto.tink.PublicKeySign auditSigner();

  /** Verifies audit checkpoint signatures. */
  com.google.crypto.tink.PublicKeyVerify auditVerifier();

  /** The Tink key id of the audit signing key, 8 hex digits, as checkpoint notes name it. */
  String auditKeyId();

  /** The keyring's id, as printed in messages. */
  String keyringId();
}
