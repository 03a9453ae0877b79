package org.phylax.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.PublicKeyVerify;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.signature.Ed25519PublicKey;
import com.google.crypto.tink.signature.SignatureConfig;
import com.google.crypto.tink.util.Bytes;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Wycheproof Ed25519 vectors through a Tink keyset verifier, the primitive {@link
 * Keyring#auditVerifier()} returns.
 *
 * <p>ed25519_test.json holds 151 vectors and all run: 88 valid and 63 invalid (bad encodings,
 * malleable or truncated signatures, trailing garbage, edge-case points).
 */
class WycheproofEd25519Tests {

  @BeforeAll
  static void register() throws GeneralSecurityException {
    SignatureConfig.register();
  }

  @Test
  void verifyWhenWycheproofVectorsThenValidSignaturesPassAndInvalidOnesThrow() throws Exception {
    List<Wycheproof.Vector> all = Wycheproof.vectors("ed25519_test.json");
    List<String> failures = new ArrayList<>();
    int run = 0;
    for (Wycheproof.Vector v : all) {
      byte[] publicKey =
          HexFormat.of().parseHex(v.group.getAsJsonObject("publicKey").get("pk").getAsString());
      PublicKeyVerify verifier = verifier(publicKey);
      run++;
      try {
        verifier.verify(v.hex("sig"), v.hex("msg"));
        if (!v.valid()) {
          failures.add(v + ": invalid signature accepted");
        }
      } catch (GeneralSecurityException e) {
        if (v.valid()) {
          failures.add(v + ": valid signature rejected");
        }
      }
    }
    assertThat(failures).isEmpty();
    assertThat(run).isPositive().isEqualTo(151);
  }

  private static PublicKeyVerify verifier(byte[] publicKey) throws GeneralSecurityException {
    return KeysetHandle.newBuilder()
        .addEntry(
            KeysetHandle.importKey(Ed25519PublicKey.create(Bytes.copyFrom(publicKey)))
                .withRandomId()
                .makePrimary())
        .build()
        .getPrimitive(RegistryConfiguration.get(), PublicKeyVerify.class);
  }
}
