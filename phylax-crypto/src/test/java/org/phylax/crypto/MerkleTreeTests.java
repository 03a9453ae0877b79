package org.phylax.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MerkleTreeTests {

  private static final int MAX_SIZE = 70;

  @Test
  void leafHashWhenEntryThenIsSha256OfZeroByteAndEntry() throws Exception {
    byte[] entry = "event 1".getBytes(StandardCharsets.US_ASCII);
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    sha256.update((byte) 0);

    assertThat(MerkleTree.leafHash(entry)).isEqualTo(sha256.digest(entry));
  }

  @Test
  void rootWhenEmptyThenIsSha256OfNothing() {
    // e3b0c442... is the well-known SHA-256 of the empty string (RFC 9162 §2.1.1: MTH({})).
    assertThat(HexFormat.of().formatHex(MerkleTree.root(List.of())))
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assertThat(new MerkleTree.Builder().root()).isEqualTo(MerkleTree.root(List.of()));
  }

  @Test
  void rootWhenRfc6962ReferenceLeavesThenMatchesPublishedRoots() {
    // The eight leaf inputs of the Certificate Transparency reference tests and the roots those
    // tests publish for the first 1, 2, 3 and 8 leaves.
    String[] inputs = {
      "",
      "00",
      "10",
      "2021",
      "3031",
      "40414243",
      "5051525354555657",
      "606162636465666768696a6b6c6d6e6f"
    };
    MerkleTree.Builder builder = new MerkleTree.Builder();
    List<String> roots = new ArrayList<>();
    for (String input : inputs) {
      builder.append(MerkleTree.leafHash(HexFormat.of().parseHex(input)));
      roots.add(HexFormat.of().formatHex(builder.root()));
    }

    assertThat(roots.get(0))
        .isEqualTo("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    assertThat(roots.get(1))
        .isEqualTo("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125");
    assertThat(roots.get(2))
        .isEqualTo("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77");
    assertThat(roots.get(7))
        .isEqualTo("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
  }

  @Test
  void builderWhenEveryPrefixOfRandomLeavesThenRootEqualsRecursiveDefinition() {
    List<byte[]> leaves = randomLeaves(MAX_SIZE, 9162);
    MerkleTree.Builder builder = new MerkleTree.Builder();
    MerkleTree tree = MerkleTree.of(leaves);
    for (int n = 1; n <= MAX_SIZE; n++) {
      builder.append(leaves.get(n - 1));
      byte[] expected = recursiveRoot(leaves.subList(0, n));

      assertThat(builder.size()).isEqualTo(n);
      assertThat(builder.root()).as("size %d", n).isEqualTo(expected);
      assertThat(MerkleTree.root(leaves.subList(0, n))).isEqualTo(expected);
      assertThat(tree.root(n)).isEqualTo(expected);
    }
  }

  @Test
  void inclusionProofWhenEveryLeafOfRandomTreesUpTo70ThenVerifiesAndHasRfcLength() {
    List<byte[]> leaves = randomLeaves(MAX_SIZE, 1);
    MerkleTree tree = MerkleTree.of(leaves);
    int checked = 0;
    for (int size = 1; size <= MAX_SIZE; size++) {
      byte[] root = recursiveRoot(leaves.subList(0, size));
      for (int index = 0; index < size; index++) {
        List<byte[]> proof = tree.inclusionProof(index, size);
        int i = index;
        int n = size;
        assertThatCode(() -> MerkleTree.verifyInclusion(i, n, leaves.get(i), proof, root))
            .as("index %d size %d", index, size)
            .doesNotThrowAnyException();
        checked++;
      }
    }
    assertThat(checked).isEqualTo(MAX_SIZE * (MAX_SIZE + 1) / 2);
  }

  @Test
  void consistencyProofWhenEveryPairOfSizesUpTo70ThenVerifies() {
    List<byte[]> leaves = randomLeaves(MAX_SIZE, 2);
    MerkleTree tree = MerkleTree.of(leaves);
    int checked = 0;
    for (int newSize = 1; newSize <= MAX_SIZE; newSize++) {
      byte[] newRoot = recursiveRoot(leaves.subList(0, newSize));
      for (int oldSize = 1; oldSize <= newSize; oldSize++) {
        byte[] oldRoot = recursiveRoot(leaves.subList(0, oldSize));
        List<byte[]> proof = tree.consistencyProof(oldSize, newSize);
        int m = oldSize;
        int n = newSize;
        assertThatCode(() -> MerkleTree.verifyConsistency(m, n, oldRoot, newRoot, proof))
            .as("%d -> %d", oldSize, newSize)
            .doesNotThrowAnyException();
        checked++;
      }
    }
    assertThat(checked).isEqualTo(MAX_SIZE * (MAX_SIZE + 1) / 2);
  }

  @Test
  void verifyInclusionWhenProofBitFlippedThenRejects() {
    List<byte[]> leaves = randomLeaves(13, 3);
    MerkleTree tree = MerkleTree.of(leaves);
    List<byte[]> proof = tree.inclusionProof(6, 13);
    for (int component = 0; component < proof.size(); component++) {
      List<byte[]> tampered = copy(proof);
      tampered.get(component)[31] ^= 1;

      assertThatThrownBy(
              () -> MerkleTree.verifyInclusion(6, 13, leaves.get(6), tampered, tree.root()))
          .isInstanceOf(IntegrityException.class)
          .hasMessageContaining("root");
    }
  }

  @Test
  void verifyInclusionWhenLeafFromAnotherIndexThenRejects() {
    List<byte[]> leaves = randomLeaves(13, 4);
    MerkleTree tree = MerkleTree.of(leaves);

    assertThatThrownBy(
            () ->
                MerkleTree.verifyInclusion(
                    6, 13, leaves.get(7), tree.inclusionProof(6, 13), tree.root()))
        .isInstanceOf(IntegrityException.class);
  }

  @Test
  void verifyInclusionWhenMalformedInputThenRejectsWithoutCrashing() {
    List<byte[]> leaves = randomLeaves(13, 5);
    MerkleTree tree = MerkleTree.of(leaves);
    byte[] leaf = leaves.get(6);
    byte[] root = tree.root();
    List<byte[]> proof = tree.inclusionProof(6, 13);
    List<byte[]> withNull = new ArrayList<>(proof);
    withNull.set(1, null);
    List<byte[]> withShortHash = copy(proof);
    withShortHash.set(1, new byte[31]);
    List<byte[]> huge = Collections.nCopies(1_000_000, new byte[32]);

    assertRejected(() -> MerkleTree.verifyInclusion(13, 13, leaf, proof, root), "index");
    assertRejected(() -> MerkleTree.verifyInclusion(-1, 13, leaf, proof, root), "index");
    assertRejected(() -> MerkleTree.verifyInclusion(0, 0, leaf, List.of(), root), "index");
    assertRejected(() -> MerkleTree.verifyInclusion(6, -13, leaf, proof, root), "index");
    assertRejected(() -> MerkleTree.verifyInclusion(6, 13, new byte[0], proof, root), "bytes");
    assertRejected(() -> MerkleTree.verifyInclusion(6, 13, leaf, withNull, root), "bytes");
    assertRejected(() -> MerkleTree.verifyInclusion(6, 13, leaf, withShortHash, root), "bytes");
    assertRejected(() -> MerkleTree.verifyInclusion(6, 13, leaf, huge, root), "more than");
    assertRejected(
        () -> MerkleTree.verifyInclusion(6, 13, leaf, proof.subList(0, 2), root), "shorter");
    List<byte[]> longer = new ArrayList<>(proof);
    longer.add(new byte[32]);
    assertRejected(() -> MerkleTree.verifyInclusion(6, 13, leaf, longer, root), "longer");
    assertRejected(
        () -> MerkleTree.verifyInclusion(6, Long.MAX_VALUE, leaf, proof, root), "shorter");
    assertRejected(() -> MerkleTree.verifyInclusion(6, 13, leaf, proof, new byte[3]), "root");
  }

  @Test
  void verifyConsistencyWhenProofBitFlippedThenRejects() {
    List<byte[]> leaves = randomLeaves(21, 6);
    MerkleTree tree = MerkleTree.of(leaves);
    List<byte[]> proof = tree.consistencyProof(7, 21);
    for (int component = 0; component < proof.size(); component++) {
      List<byte[]> tampered = copy(proof);
      tampered.get(component)[0] ^= (byte) 0x80;

      assertRejected(
          () -> MerkleTree.verifyConsistency(7, 21, tree.root(7), tree.root(), tampered), "roots");
    }
  }

  @Test
  void verifyConsistencyWhenOldLeafRewrittenThenRejects() {
    List<byte[]> leaves = randomLeaves(21, 7);
    byte[] honestOldRoot = MerkleTree.of(leaves).root(7);
    List<byte[]> rewritten = copy(leaves);
    rewritten.get(3)[0] ^= 1;
    MerkleTree forked = MerkleTree.of(rewritten);

    assertRejected(
        () ->
            MerkleTree.verifyConsistency(
                7, 21, honestOldRoot, forked.root(), forked.consistencyProof(7, 21)),
        "roots");
  }

  @Test
  void verifyConsistencyWhenMalformedInputThenRejectsWithoutCrashing() {
    List<byte[]> leaves = randomLeaves(21, 8);
    MerkleTree tree = MerkleTree.of(leaves);
    byte[] oldRoot = tree.root(7);
    byte[] newRoot = tree.root();
    List<byte[]> proof = tree.consistencyProof(7, 21);

    assertRejected(() -> MerkleTree.verifyConsistency(21, 7, newRoot, oldRoot, proof), "larger");
    assertRejected(() -> MerkleTree.verifyConsistency(0, 21, oldRoot, newRoot, proof), "at least");
    assertRejected(() -> MerkleTree.verifyConsistency(-7, 21, oldRoot, newRoot, proof), "at least");
    assertRejected(() -> MerkleTree.verifyConsistency(7, 21, oldRoot, newRoot, List.of()), "empty");
    assertRejected(() -> MerkleTree.verifyConsistency(7, 7, oldRoot, oldRoot, proof), "empty");
    assertRejected(
        () -> MerkleTree.verifyConsistency(7, 7, oldRoot, newRoot, List.of()), "different");
    assertRejected(
        () -> MerkleTree.verifyConsistency(7, 21, new byte[31], newRoot, proof), "bytes");
    assertRejected(
        () -> MerkleTree.verifyConsistency(7, 21, oldRoot, newRoot, proof.subList(1, proof.size())),
        "shorter");
    List<byte[]> longer = new ArrayList<>(proof);
    longer.add(new byte[32]);
    assertRejected(() -> MerkleTree.verifyConsistency(7, 21, oldRoot, newRoot, longer), "longer");
    assertRejected(
        () -> MerkleTree.verifyConsistency(7, Long.MAX_VALUE, oldRoot, newRoot, proof), "shorter");
    assertRejected(
        () ->
            MerkleTree.verifyConsistency(
                7, 21, oldRoot, newRoot, Collections.nCopies(65, new byte[32])),
        "more than");
  }

  @Test
  void proofGenerationWhenSizesOutOfRangeThenRefuses() {
    MerkleTree tree = MerkleTree.of(randomLeaves(5, 10));

    assertThatThrownBy(() -> tree.inclusionProof(5, 5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tree.inclusionProof(0, 6))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tree.inclusionProof(-1, 5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tree.consistencyProof(0, 5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tree.consistencyProof(4, 3))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tree.consistencyProof(1, 6))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tree.root(6)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ofWhenLeafHashWrongLengthThenRefuses() {
    assertThatThrownBy(() -> MerkleTree.of(List.of(new byte[32], new byte[33])))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new MerkleTree.Builder().append(new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ofWhenCallerChangesItsArrayLaterThenTreeIsUnchanged() {
    List<byte[]> leaves = randomLeaves(4, 11);
    MerkleTree tree = MerkleTree.of(leaves);
    byte[] root = tree.root();

    leaves.get(2)[0] ^= 1;
    tree.root()[0] ^= 1;

    assertThat(tree.root()).isEqualTo(root);
  }

  private static void assertRejected(Runnable verification, String messagePart) {
    assertThatThrownBy(verification::run)
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining(messagePart);
  }

  // MTH of RFC 9162 §2.1.1 written as the recursion it is, independently of the builder.
  private static byte[] recursiveRoot(List<byte[]> leafHashes) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      int n = leafHashes.size();
      if (n == 0) {
        return sha256.digest();
      }
      if (n == 1) {
        return leafHashes.get(0).clone();
      }
      int k = 1;
      while (k * 2 < n) {
        k *= 2;
      }
      sha256.update((byte) 1);
      sha256.update(recursiveRoot(leafHashes.subList(0, k)));
      return sha256.digest(recursiveRoot(leafHashes.subList(k, n)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static List<byte[]> randomLeaves(int count, long seed) {
    Random random = new Random(seed);
    List<byte[]> leaves = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] entry = new byte[1 + random.nextInt(64)];
      random.nextBytes(entry);
      leaves.add(MerkleTree.leafHash(entry));
    }
    return leaves;
  }

  private static List<byte[]> copy(List<byte[]> hashes) {
    List<byte[]> copy = new ArrayList<>();
    for (byte[] h : hashes) {
      copy.add(h.clone());
    }
    return copy;
  }
}
