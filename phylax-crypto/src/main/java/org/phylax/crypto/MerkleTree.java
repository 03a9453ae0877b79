package org.phylax.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * An RFC 9162 (Certificate Transparency v2) Merkle tree over SHA-256: the tree head the audit log
 * signs, and the inclusion and consistency proofs that let anyone holding an old signed head check
 * that an event is in the log and that the log only ever grew.
 *
 * <p>Hashing follows RFC 9162 §2.1.1: a leaf hash is {@code SHA-256(0x00 || entry)}, an interior
 * node is {@code SHA-256(0x01 || left || right)}, and the tree with no leaves hashes to {@code
 * SHA-256("")}. Everything else here takes leaf hashes, not entries, so an entry is hashed exactly
 * once, by {@link #leafHash}.
 *
 * <p>Proof generation ({@link #of}, {@link #inclusionProof}, {@link #consistencyProof}) is for the
 * server, over its own data, and throws {@link IllegalArgumentException} for sizes out of range.
 * Proof verification ({@link #verifyInclusion}, {@link #verifyConsistency}) is for whoever doubts
 * the server: it accepts any input, however malformed, and answers either by returning normally or
 * by throwing {@link IntegrityException}. It never returns a half answer.
 */
public final class MerkleTree {

  /** Length in bytes of every hash in the tree. */
  public static final int HASH_LENGTH = 32;

  private static final byte LEAF_PREFIX = 0x00;
  private static final byte NODE_PREFIX = 0x01;

  // A tree can hold at most 2^63 - 1 leaves (sizes are signed longs), so no valid proof of
  // either kind has more than 64 hashes; anything longer is refused before any hashing.
  private static final int MAX_PROOF_LENGTH = 64;

  private final List<byte[]> leafHashes;

  private MerkleTree(List<byte[]> leafHashes) {
    this.leafHashes = leafHashes;
  }

  /**
   * A tree over copies of {@code leafHashes}, in order, for generating proofs.
   *
   * @throws IllegalArgumentException when a leaf hash is not {@value #HASH_LENGTH} bytes
   */
  public static MerkleTree of(List<byte[]> leafHashes) {
    List<byte[]> copy = new ArrayList<>(leafHashes.size());
    for (byte[] leafHash : leafHashes) {
      copy.add(checkedHash(leafHash, "leaf hash").clone());
    }
    return new MerkleTree(Collections.unmodifiableList(copy));
  }

  /** RFC 9162 leaf hash of one entry: {@code SHA-256(0x00 || entry)}. */
  public static byte[] leafHash(byte[] entry) {
    MessageDigest sha256 = sha256();
    sha256.update(LEAF_PREFIX);
    return sha256.digest(entry);
  }

  /** Root hash of {@code leafHashes}, computed in one pass with logarithmic extra memory. */
  public static byte[] root(List<byte[]> leafHashes) {
    Builder builder = new Builder();
    for (byte[] leafHash : leafHashes) {
      builder.append(leafHash);
    }
    return builder.root();
  }

  /** Number of leaves. */
  public long size() {
    return leafHashes.size();
  }

  /** Root hash of the whole tree. */
  public byte[] root() {
    return subtreeRoot(0, leafHashes.size());
  }

  /**
   * Root hash of the tree made of the first {@code size} leaves: the head the log had at that size.
   *
   * @throws IllegalArgumentException unless {@code 0 <= size <= size()}
   */
  public byte[] root(long size) {
    if (size < 0 || size > leafHashes.size()) {
      throw new IllegalArgumentException("size must be in [0, " + leafHashes.size() + "]");
    }
    return subtreeRoot(0, (int) size);
  }

  /**
   * RFC 9162 §2.1.3.1 inclusion proof (audit path) of leaf {@code index} in the tree made of the
   * first {@code size} leaves, lowest level first.
   *
   * @throws IllegalArgumentException unless {@code 0 <= index < size <= size()}
   */
  public List<byte[]> inclusionProof(long index, long size) {
    if (size < 1 || size > leafHashes.size() || index < 0 || index >= size) {
      throw new IllegalArgumentException(
          "need 0 <= index < size <= "
              + leafHashes.size()
              + ", got index "
              + index
              + ", size "
              + size);
    }
    // The recursive PATH of RFC 9162 walks from the root down, choosing the half that holds the
    // leaf and recording the other half's root; the proof lists those roots from the bottom up.
    List<byte[]> topDown = new ArrayList<>();
    int lo = 0;
    int hi = (int) size;
    int m = (int) index;
    while (hi - lo > 1) {
      int k = largestPowerOfTwoBelow(hi - lo);
      if (m < lo + k) {
        topDown.add(subtreeRoot(lo + k, hi));
        hi = lo + k;
      } else {
        topDown.add(subtreeRoot(lo, lo + k));
        lo = lo + k;
      }
    }
    Collections.reverse(topDown);
    return Collections.unmodifiableList(topDown);
  }

  /**
   * RFC 9162 §2.1.4.1 consistency proof between the trees made of the first {@code oldSize} and the
   * first {@code newSize} leaves. Empty when the sizes are equal.
   *
   * @throws IllegalArgumentException unless {@code 1 <= oldSize <= newSize <= size()}: a proof from
   *     the empty tree would prove nothing, so RFC 9162 does not define one
   */
  public List<byte[]> consistencyProof(long oldSize, long newSize) {
    if (oldSize < 1 || oldSize > newSize || newSize > leafHashes.size()) {
      throw new IllegalArgumentException(
          "need 1 <= oldSize <= newSize <= "
              + leafHashes.size()
              + ", got "
              + oldSize
              + " and "
              + newSize);
    }
    // SUBPROOF(m, D[lo:hi], b) of RFC 9162, unrolled: each step either recurses into the left
    // half (recording the right half's root) or into the right half (recording the left's and
    // clearing b). When it reaches m == n the old tree's own root is added unless b still holds,
    // because then the verifier already has it as the old root.
    List<byte[]> topDown = new ArrayList<>();
    int lo = 0;
    int hi = (int) newSize;
    int m = (int) oldSize;
    boolean oldRootKnown = true;
    while (m != hi - lo) {
      int k = largestPowerOfTwoBelow(hi - lo);
      if (m <= k) {
        topDown.add(subtreeRoot(lo + k, hi));
        hi = lo + k;
      } else {
        topDown.add(subtreeRoot(lo, lo + k));
        lo = lo + k;
        m -= k;
        oldRootKnown = false;
      }
    }
    if (!oldRootKnown) {
      topDown.add(subtreeRoot(lo, hi));
    }
    Collections.reverse(topDown);
    return Collections.unmodifiableList(topDown);
  }

  /**
   * Checks an RFC 9162 §2.1.3.2 inclusion proof: that the leaf with hash {@code leafHash} sits at
   * {@code index} in the tree of {@code size} leaves whose root is {@code root}.
   *
   * @throws IntegrityException when the proof does not verify or any argument is out of range or of
   *     the wrong length; the message says which, and carries no hash
   */
  public static void verifyInclusion(
      long index, long size, byte[] leafHash, List<byte[]> proof, byte[] root) {
    Objects.requireNonNull(leafHash, "leafHash");
    Objects.requireNonNull(proof, "proof");
    Objects.requireNonNull(root, "root");
    if (size < 1 || index < 0 || index >= size) {
      throw new IntegrityException("inclusion proof: leaf index must be in [0, tree size)");
    }
    requireHashes(leafHash, proof, "inclusion proof");

    MessageDigest sha256 = sha256();
    long fn = index;
    long sn = size - 1;
    byte[] r = leafHash;
    for (byte[] p : proof) {
      if (sn == 0) {
        throw new IntegrityException("inclusion proof: longer than the tree is deep");
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = node(sha256, p, r);
        // Levels where this node is the rightmost and has no sibling add no hash to the proof.
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        r = node(sha256, r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    if (sn != 0) {
      throw new IntegrityException("inclusion proof: shorter than the tree is deep");
    }
    if (!MessageDigest.isEqual(r, root)) {
      throw new IntegrityException("inclusion proof: does not lead to the given root");
    }
  }

  /**
   * Checks an RFC 9162 §2.1.4.2 consistency proof: that the tree of {@code oldSize} leaves with
   * root {@code oldRoot} is a prefix of the tree of {@code newSize} leaves with root {@code
   * newRoot}.
   *
   * <p>Equal sizes are consistent exactly when the proof is empty and the two roots are the same
   * bytes. An old size of zero is refused: every log extends the empty one, so such a check would
   * prove nothing, and RFC 9162 defines no proof for it.
   *
   * @throws IntegrityException when the proof does not verify or any argument is out of range or of
   *     the wrong length; the message says which, and carries no hash
   */
  public static void verifyConsistency(
      long oldSize, long newSize, byte[] oldRoot, byte[] newRoot, List<byte[]> proof) {
    Objects.requireNonNull(oldRoot, "oldRoot");
    Objects.requireNonNull(newRoot, "newRoot");
    Objects.requireNonNull(proof, "proof");
    if (oldSize < 1) {
      throw new IntegrityException("consistency proof: old size must be at least 1");
    }
    if (oldSize > newSize) {
      throw new IntegrityException("consistency proof: old size is larger than new size");
    }
    if (oldSize == newSize) {
      if (!proof.isEmpty()) {
        throw new IntegrityException("consistency proof: must be empty when the sizes are equal");
      }
      if (!MessageDigest.isEqual(oldRoot, newRoot)) {
        throw new IntegrityException("consistency proof: equal sizes but different roots");
      }
      return;
    }
    if (proof.isEmpty()) {
      throw new IntegrityException("consistency proof: empty");
    }
    requireHashes(oldRoot, proof, "consistency proof");

    List<byte[]> path = proof;
    if ((oldSize & (oldSize - 1)) == 0) {
      // The old tree is one complete subtree of the new one; the proof leaves out its root
      // because the verifier already holds it.
      path = new ArrayList<>(proof.size() + 1);
      path.add(oldRoot);
      path.addAll(proof);
    }
    MessageDigest sha256 = sha256();
    long fn = oldSize - 1;
    long sn = newSize - 1;
    while ((fn & 1) == 1) {
      fn >>= 1;
      sn >>= 1;
    }
    byte[] fr = path.get(0);
    byte[] sr = path.get(0);
    for (byte[] c : path.subList(1, path.size())) {
      if (sn == 0) {
        throw new IntegrityException("consistency proof: longer than the tree is deep");
      }
      if ((fn & 1) == 1 || fn == sn) {
        fr = node(sha256, c, fr);
        sr = node(sha256, c, sr);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        sr = node(sha256, sr, c);
      }
      fn >>= 1;
      sn >>= 1;
    }
    if (sn != 0) {
      throw new IntegrityException("consistency proof: shorter than the tree is deep");
    }
    // Both checks run before either result is reported, so the exception does not reveal which
    // root a forger got right.
    boolean oldMatches = MessageDigest.isEqual(fr, oldRoot);
    boolean newMatches = MessageDigest.isEqual(sr, newRoot);
    if (!oldMatches || !newMatches) {
      throw new IntegrityException("consistency proof: does not lead to the given roots");
    }
  }

  private byte[] subtreeRoot(int from, int to) {
    Builder builder = new Builder();
    for (int i = from; i < to; i++) {
      builder.appendTrusted(leafHashes.get(i));
    }
    return builder.root();
  }

  private static void requireHashes(byte[] first, List<byte[]> proof, String what) {
    if (first.length != HASH_LENGTH) {
      throw new IntegrityException(what + ": hash is not " + HASH_LENGTH + " bytes");
    }
    if (proof.size() > MAX_PROOF_LENGTH) {
      throw new IntegrityException(what + ": more than " + MAX_PROOF_LENGTH + " hashes");
    }
    for (byte[] p : proof) {
      if (p == null || p.length != HASH_LENGTH) {
        throw new IntegrityException(what + ": proof hash is not " + HASH_LENGTH + " bytes");
      }
    }
  }

  private static int largestPowerOfTwoBelow(int n) {
    return Integer.highestOneBit(n - 1);
  }

  private static byte[] node(MessageDigest sha256, byte[] left, byte[] right) {
    sha256.update(NODE_PREFIX);
    sha256.update(left);
    return sha256.digest(right);
  }

  private static byte[] checkedHash(byte[] hash, String what) {
    Objects.requireNonNull(hash, what);
    if (hash.length != HASH_LENGTH) {
      throw new IllegalArgumentException(what + " must be " + HASH_LENGTH + " bytes");
    }
    return hash;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "MerkleTree[size=" + leafHashes.size() + "]";
  }

  /**
   * Computes the root of a growing tree: {@link #append} leaf hashes in order and ask for the
   * {@link #root} at any point. It keeps only the roots of the complete subtrees that make up the
   * current size (one per set bit), so a log of millions of events needs a few dozen hashes of
   * memory, and each append costs amortised one node hash. Not thread-safe.
   */
  public static final class Builder {

    // stack[i] is the root of a complete subtree; sizes strictly decrease from the bottom of the
    // stack, matching the set bits of size from the most significant down.
    private final List<byte[]> stack = new ArrayList<>();
    private final MessageDigest sha256 = sha256();
    private long size;

    public Builder() {}

    /**
     * Adds the next leaf.
     *
     * @throws IllegalArgumentException when {@code leafHash} is not {@value #HASH_LENGTH} bytes
     */
    public Builder append(byte[] leafHash) {
      return appendTrusted(checkedHash(leafHash, "leaf hash").clone());
    }

    // For hashes this class already checked and will not let escape or change.
    Builder appendTrusted(byte[] leafHash) {
      byte[] carry = leafHash;
      // Each trailing one bit of the old size is a complete subtree of the same height as carry,
      // to its left: merge them, as in binary addition.
      for (long s = size; (s & 1) == 1; s >>= 1) {
        carry = node(sha256, stack.remove(stack.size() - 1), carry);
      }
      stack.add(carry);
      size++;
      return this;
    }

    /** Number of leaves appended so far. */
    public long size() {
      return size;
    }

    /** Root hash of the leaves appended so far; {@code SHA-256("")} when there are none. */
    public byte[] root() {
      if (stack.isEmpty()) {
        return sha256.digest();
      }
      // RFC 9162 splits a tree at the largest power of two below its size, so the smallest
      // complete subtree joins its left neighbour first, and so on up to the largest.
      byte[] r = stack.get(stack.size() - 1);
      for (int i = stack.size() - 2; i >= 0; i--) {
        r = node(sha256, stack.get(i), r);
      }
      return r.clone();
    }

    @Override
    public String toString() {
      return "MerkleTree.Builder[size=" + size + "]";
    }
  }
}
