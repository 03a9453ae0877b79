package org.phylax.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.PublicKeyVerify;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckpointTests {

  private static final Keyring KEYRING = Keyring.generate();
  private static final byte[] ROOT =
      MerkleTree.root(
          List.of(
              MerkleTree.leafHash(new byte[] {1}),
              MerkleTree.leafHash(new byte[] {2}),
              MerkleTree.leafHash(new byte[] {3})));
  private static final Instant TIME = Instant.parse("2025-03-01T12:00:00Z");
  private static final Checkpoint CHECKPOINT = Checkpoint.of("phylax.test/audit", 3, ROOT, TIME);

  @Test
  void signThenNoteHasTheDocumentedLayout() {
    String note = CHECKPOINT.sign(KEYRING.auditSigner());

    String[] lines = note.split("\n", -1);
    assertThat(lines).hasSize(8);
    assertThat(lines[0]).isEqualTo("phylax audit checkpoint v1");
    assertThat(lines[1]).isEqualTo("origin phylax.test/audit");
    assertThat(lines[2]).isEqualTo("size 3");
    assertThat(lines[3]).isEqualTo("root " + Base64.getEncoder().encodeToString(ROOT));
    assertThat(lines[4]).isEqualTo("time 2025-03-01T12:00:00Z");
    assertThat(lines[5]).isEmpty();
    assertThat(lines[6]).matches("\u2014 [0-9a-f]{8} [A-Za-z0-9+/]+=*");
    assertThat(lines[7]).isEmpty();
  }

  @Test
  void verifyWhenSignedWithSameKeyringThenReturnsTheCheckpoint() {
    String note = CHECKPOINT.sign(KEYRING.auditSigner());

    Checkpoint.SignedNote parsed = Checkpoint.parse(note);
    Checkpoint verified = parsed.verify(KEYRING.auditVerifier());

    assertThat(verified).isEqualTo(CHECKPOINT);
    assertThat(verified.origin()).isEqualTo("phylax.test/audit");
    assertThat(verified.size()).isEqualTo(3);
    assertThat(verified.rootHash()).isEqualTo(ROOT);
    assertThat(verified.time()).isEqualTo(TIME);
    assertThat(parsed.keyId()).isEqualTo(KEYRING.auditKeyId());
  }

  @Test
  void verifyWhenSignatureCoversExactlyTheBodyBytesThenAnIndependentCheckAgrees() throws Exception {
    String note = CHECKPOINT.sign(KEYRING.auditSigner());
    int blank = note.indexOf("\n\n");
    byte[] body = note.substring(0, blank + 1).getBytes(StandardCharsets.UTF_8);
    String signatureLine = note.substring(blank + 2, note.length() - 1);
    byte[] signature = Base64.getDecoder().decode(signatureLine.split(" ")[2]);

    KEYRING.auditVerifier().verify(signature, body); // throws if the note signed anything else
  }

  @Test
  void verifyWhenAnyBodyByteEditedThenRejects() {
    String note = CHECKPOINT.sign(KEYRING.auditSigner());
    int bodyLength = note.indexOf("\n\n") + 1;
    PublicKeyVerify verifier = KEYRING.auditVerifier();
    List<Integer> accepted = new ArrayList<>();
    for (int i = 0; i < bodyLength; i++) {
      char[] chars = note.toCharArray();
      chars[i] ^= 1;
      String edited = new String(chars);
      try {
        Checkpoint.parse(edited).verify(verifier);
        accepted.add(i);
      } catch (IntegrityException expected) {
        // each edit must land here, from parsing or from the signature
      }
    }
    assertThat(accepted).isEmpty();
  }

  @Test
  void verifyWhenSizeEditedToAnotherValidNumberThenSignatureRejects() {
    String note = CHECKPOINT.sign(KEYRING.auditSigner());
    String edited = note.replace("\nsize 3\n", "\nsize 4\n");

    Checkpoint.SignedNote parsed = Checkpoint.parse(edited);
    assertThatThrownBy(() -> parsed.verify(KEYRING.auditVerifier()))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("signature does not verify");
  }

  @Test
  void verifyWhenAnotherKeyringsVerifierThenRejects() {
    String note = CHECKPOINT.sign(KEYRING.auditSigner());
    PublicKeyVerify stranger = Keyring.generate().auditVerifier();

    assertThatThrownBy(() -> Checkpoint.parse(note).verify(stranger))
        .isInstanceOf(IntegrityException.class);
  }

  @Test
  void parseWhenSignatureLineMissingOrNoteTruncatedThenRejects() {
    String note = CHECKPOINT.sign(KEYRING.auditSigner());
    int blank = note.indexOf("\n\n");

    assertRejected(note.substring(0, blank + 1));
    assertRejected(note.substring(0, blank + 2));
    assertRejected(note.substring(0, note.length() - 1));
    assertRejected(note.substring(0, note.length() - 10) + "\n");
    assertRejected(note.substring(0, blank - 5));
    assertRejected("");
  }

  @Test
  void parseWhenSignatureLineAlteredThenRejects() {
    String note = CHECKPOINT.sign(KEYRING.auditSigner());
    int blank = note.indexOf("\n\n");
    String body = note.substring(0, blank + 2);
    String[] fields = note.substring(blank + 2, note.length() - 1).split(" ");
    String otherKeyId = fields[1].equals("00000000") ? "00000001" : "00000000";

    assertRejected(body + "- " + fields[1] + " " + fields[2] + "\n");
    assertRejected(body + "\u2014 " + otherKeyId + " " + fields[2] + "\n");
    assertRejected(body + "\u2014 " + fields[1].substring(1) + " " + fields[2] + "\n");
    assertRejected(body + "\u2014 " + fields[1] + "0 " + fields[2] + "\n");
    assertRejected(body + "\u2014 " + fields[1] + " " + fields[2] + "!\n");
    assertRejected(body + "\u2014 " + fields[1] + "  " + fields[2] + "\n");
    assertRejected(note + note.substring(blank + 2));
    assertRejected(note + "\n");
  }

  @Test
  void verifyWhenSignatureBitFlippedThenRejects() {
    String note = CHECKPOINT.sign(KEYRING.auditSigner());
    int blank = note.indexOf("\n\n");
    String[] fields = note.substring(blank + 2, note.length() - 1).split(" ");
    byte[] signature = Base64.getDecoder().decode(fields[2]);
    signature[signature.length - 1] ^= 1;
    String edited =
        note.substring(0, blank + 2)
            + "\u2014 "
            + fields[1]
            + " "
            + Base64.getEncoder().encodeToString(signature)
            + "\n";

    assertThatThrownBy(() -> Checkpoint.parse(edited).verify(KEYRING.auditVerifier()))
        .isInstanceOf(IntegrityException.class);
  }

  @Test
  void parseWhenFieldNotInCanonicalFormThenRejects() {
    String note = CHECKPOINT.sign(KEYRING.auditSigner());

    assertRejected(note.replace("\nsize 3\n", "\nsize 03\n"));
    assertRejected(note.replace("\nsize 3\n", "\nsize +3\n"));
    assertRejected(note.replace("\nsize 3\n", "\nsize -3\n"));
    assertRejected(note.replace("T12:00:00Z", "T12:00:00.000Z"));
    assertRejected(note.replace("T12:00:00Z", "T13:00:00+01:00"));
    assertRejected(note.replace("phylax audit checkpoint v1", "phylax audit checkpoint v2"));
    assertRejected(note.replace("\norigin ", "\norigin  "));
  }

  @Test
  void ofWhenFieldsInvalidThenRefuses() {
    assertThatThrownBy(() -> Checkpoint.of("", 1, ROOT, TIME))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Checkpoint.of("two words", 1, ROOT, TIME))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Checkpoint.of("line\nbreak", 1, ROOT, TIME))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Checkpoint.of("log", -1, ROOT, TIME))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Checkpoint.of("log", 1, new byte[31], TIME))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ofThenLaterChangesToCallersRootArrayDoNotReachTheCheckpoint() {
    byte[] root = ROOT.clone();
    Checkpoint checkpoint = Checkpoint.of("log", 3, root, TIME);
    root[0] ^= 1;
    checkpoint.rootHash()[1] ^= 1;

    assertThat(checkpoint.rootHash()).isEqualTo(ROOT);
  }

  private static void assertRejected(String note) {
    assertThatThrownBy(() -> Checkpoint.parse(note).verify(KEYRING.auditVerifier()))
        .isInstanceOf(IntegrityException.class);
  }
}
