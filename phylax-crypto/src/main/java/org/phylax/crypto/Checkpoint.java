package org.phylax.crypto;

import com.google.crypto.tink.PublicKeySign;
import com.google.crypto.tink.PublicKeyVerify;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A signed tree head of the audit log: at {@link #time}, the log named {@link #origin} held {@link
 * #size} events whose RFC 9162 Merkle root was {@link #rootHash}. The server stores each one and
 * also writes it, as a signed text note, to a witness directory outside the database, so that
 * rewriting the whole audit table (chain and checkpoints alike) still disagrees with the witness.
 *
 * <p>The note, in UTF-8, every line ending in a single {@code \n}:
 *
 * <pre>
 * phylax audit checkpoint v1
 * origin &lt;origin&gt;
 * size &lt;size&gt;
 * root &lt;root hash&gt;
 * time &lt;time&gt;
 *
 * — &lt;key id&gt; &lt;signature&gt;
 * </pre>
 *
 * The first five lines are the body, and the signature covers exactly their bytes, final newline
 * included. Origin is 1 to 255 printable ASCII characters without spaces; size is decimal without
 * leading zeros; root is the 32-byte hash in standard, padded Base64; time is an ISO-8601 UTC
 * instant as {@link DateTimeFormatter#ISO_INSTANT} writes it. Then comes one empty line and the
 * signature line: an em dash (U+2014), a space, the signing key's Tink key id as 8 lowercase hex
 * digits, a space, and the Tink signature in standard, padded Base64. There is exactly one
 * signature line and nothing after it. Parsing accepts only this exact form, so that a checkpoint
 * has a single encoding.
 *
 * <p>The key id is the one Tink puts at the front of each signature from a keyset key with the TINK
 * output prefix (a version byte 0x01, then the id, big-endian), as the audit key from {@link
 * Keyring} has. It tells a witness which key to check with; it is not trusted on its own, since
 * parsing refuses a note whose key id differs from the one inside its signature, and verification
 * refuses a signature by any key not in the verifier's keyset.
 */
public final class Checkpoint {

  private static final String HEADER = "phylax audit checkpoint v1";
  private static final String SIGNATURE_MARK = "\u2014 ";
  private static final Pattern ORIGIN = Pattern.compile("[\\x21-\\x7e]{1,255}");
  private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{8}");
  private static final int TINK_PREFIX_LENGTH = 5;
  private static final byte TINK_PREFIX_VERSION = 0x01;

  private final String origin;
  private final long size;
  private final byte[] rootHash;
  private final Instant time;

  private Checkpoint(String origin, long size, byte[] rootHash, Instant time) {
    this.origin = origin;
    this.size = size;
    this.rootHash = rootHash;
    this.time = time;
  }

  /**
   * A checkpoint, not yet signed.
   *
   * @param time when the tree head was taken, from the caller's clock
   * @throws IllegalArgumentException when the origin is empty, longer than 255 characters or holds
   *     anything but printable ASCII without spaces, the size is negative, or the root is not
   *     {@value MerkleTree#HASH_LENGTH} bytes
   */
  public static Checkpoint of(String origin, long size, byte[] rootHash, Instant time) {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(rootHash, "rootHash");
    Objects.requireNonNull(time, "time");
    if (!ORIGIN.matcher(origin).matches()) {
      throw new IllegalArgumentException(
          "origin must be 1 to 255 printable ASCII characters without spaces");
    }
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative");
    }
    if (rootHash.length != MerkleTree.HASH_LENGTH) {
      throw new IllegalArgumentException("root hash must be " + MerkleTree.HASH_LENGTH + " bytes");
    }
    return new Checkpoint(origin, size, rootHash.clone(), time);
  }

  public String origin() {
    return origin;
  }

  public long size() {
    return size;
  }

  public byte[] rootHash() {
    return rootHash.clone();
  }

  public Instant time() {
    return time;
  }

  /**
   * This checkpoint as a signed note, in the format described on the class.
   *
   * @throws IllegalArgumentException when the signer's signatures do not start with a Tink key id
   *     (a keyset key with the TINK output prefix), since the note could not name its key
   * @throws IllegalStateException when the signer fails
   */
  public String sign(PublicKeySign signer) {
    String body = body();
    byte[] signature;
    try {
      signature = signer.sign(body.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the audit key cannot sign the checkpoint", e);
    }
    String keyId = tinkKeyId(signature);
    if (keyId == null) {
      throw new IllegalArgumentException("the signer must be a Tink keyset key with TINK prefix");
    }
    return body
        + "\n"
        + SIGNATURE_MARK
        + keyId
        + " "
        + Base64.getEncoder().encodeToString(signature)
        + "\n";
  }

  /**
   * Reads a signed note without trusting it: the checkpoint inside is only available through {@link
   * SignedNote#verify}.
   *
   * @throws IntegrityException when the note is not exactly in the format described on the class:
   *     truncated, without its signature line, with a changed or extra byte that breaks the form,
   *     or with a key id that differs from the one inside the signature
   */
  public static SignedNote parse(String note) {
    Objects.requireNonNull(note, "note");
    int blank = note.indexOf("\n\n");
    if (blank < 0) {
      throw new IntegrityException("checkpoint note: no blank line before a signature");
    }
    String body = note.substring(0, blank + 1);
    String signatureLine = note.substring(blank + 2);
    if (!signatureLine.startsWith(SIGNATURE_MARK)
        || !signatureLine.endsWith("\n")
        || signatureLine.indexOf('\n') != signatureLine.length() - 1) {
      throw new IntegrityException(
          "checkpoint note: not exactly one signature line after the body");
    }
    String[] fields =
        signatureLine.substring(SIGNATURE_MARK.length(), signatureLine.length() - 1).split(" ", -1);
    if (fields.length != 2 || !KEY_ID.matcher(fields[0]).matches()) {
      throw new IntegrityException(
          "checkpoint note: signature line is not '— <key id> <signature>'");
    }
    byte[] signature = canonicalBase64(fields[1], "signature");
    if (!fields[0].equals(tinkKeyId(signature))) {
      throw new IntegrityException("checkpoint note: key id differs from the signature's");
    }
    return new SignedNote(
        parseBody(body), body.getBytes(StandardCharsets.UTF_8), fields[0], signature);
  }

  private static Checkpoint parseBody(String body) {
    String[] lines = body.split("\n", -1);
    if (lines.length != 6
        || !lines[0].equals(HEADER)
        || !lines[1].startsWith("origin ")
        || !lines[2].startsWith("size ")
        || !lines[3].startsWith("root ")
        || !lines[4].startsWith("time ")) {
      throw new IntegrityException(
          "checkpoint note: body is not the five lines of a v1 checkpoint");
    }
    Checkpoint checkpoint;
    try {
      checkpoint =
          of(
              lines[1].substring("origin ".length()),
              Long.parseLong(lines[2].substring("size ".length())),
              canonicalBase64(lines[3].substring("root ".length()), "root"),
              Instant.parse(lines[4].substring("time ".length())));
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new IntegrityException("checkpoint note: a body field is malformed");
    }
    // One encoding only: "size 07", "+7", or a time with an offset parse to the same values, but
    // accepting them would let the same checkpoint be written in several ways.
    if (!checkpoint.body().equals(body)) {
      throw new IntegrityException("checkpoint note: body is not in canonical form");
    }
    return checkpoint;
  }

  private String body() {
    return HEADER
        + "\norigin "
        + origin
        + "\nsize "
        + size
        + "\nroot "
        + Base64.getEncoder().encodeToString(rootHash)
        + "\ntime "
        + DateTimeFormatter.ISO_INSTANT.format(time)
        + "\n";
  }

  private static byte[] canonicalBase64(String text, String what) {
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new IntegrityException("checkpoint note: " + what + " is not Base64");
    }
    if (!Base64.getEncoder().encodeToString(decoded).equals(text)) {
      throw new IntegrityException("checkpoint note: " + what + " is not canonical Base64");
    }
    return decoded;
  }

  // The key id Tink writes at the front of a TINK-prefixed signature, or null when there is none.
  private static String tinkKeyId(byte[] signature) {
    if (signature.length <= TINK_PREFIX_LENGTH || signature[0] != TINK_PREFIX_VERSION) {
      return null;
    }
    return HexFormat.of().formatHex(signature, 1, TINK_PREFIX_LENGTH);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Checkpoint)) {
      return false;
    }
    Checkpoint other = (Checkpoint) o;
    return origin.equals(other.origin)
        && size == other.size
        && Arrays.equals(rootHash, other.rootHash)
        && time.equals(other.time);
  }

  @Override
  public int hashCode() {
    return Objects.hash(origin, size, Arrays.hashCode(rootHash), time);
  }

  @Override
  public String toString() {
    return "Checkpoint[origin="
        + origin
        + ", size="
        + size
        + ", root="
        + HexFormat.of().formatHex(rootHash)
        + ", time="
        + time
        + "]";
  }

  /**
   * A checkpoint note that has been read but not yet verified. Its contents stay out of reach until
   * {@link #verify} succeeds, so no caller can act on an unsigned tree head by mistake.
   */
  public static final class SignedNote {
    private final Checkpoint checkpoint;
    private final byte[] body;
    private final String keyId;
    private final byte[] signature;

    private SignedNote(Checkpoint checkpoint, byte[] body, String keyId, byte[] signature) {
      this.checkpoint = checkpoint;
      this.body = body;
      this.keyId = keyId;
      this.signature = signature;
    }

    /** The Tink key id of the signing key, 8 lowercase hex digits: which verifier to use. */
    public String keyId() {
      return keyId;
    }

    /**
     * The checkpoint, once its signature is found good under {@code verifier}.
     *
     * @throws IntegrityException when the signature does not verify: the body was edited, or it was
     *     signed by a key the verifier does not hold
     */
    public Checkpoint verify(PublicKeyVerify verifier) {
      try {
        verifier.verify(signature, body);
      } catch (GeneralSecurityException e) {
        throw new IntegrityException("checkpoint note: signature does not verify");
      }
      return checkpoint;
    }

    @Override
    public String toString() {
      return "Checkpoint.SignedNote[keyId=" + keyId + ", unverified]";
    }
  }
}
