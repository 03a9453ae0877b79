package org.phylax.identity.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Recovery codes: 16 characters of Crockford's base32 alphabet (80 random bits), shown as four
 * groups of four. With that much entropy a plain SHA-256 suffices to store them (nobody can search
 * 2^80 codes), so checking a code is one indexed lookup instead of ten Argon2 runs. The hash binds
 * the code to its account: {@code SHA-256("phylax.recovery.v1" || account id (16 bytes) || code)}.
 */
final class RecoveryCodeHashing {

  static final int COUNT = 10;
  private static final int LENGTH = 16;
  private static final String ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
  private static final byte[] TAG = "phylax.recovery.v1".getBytes(StandardCharsets.US_ASCII);

  private final SecureRandom random;

  RecoveryCodeHashing(SecureRandom random) {
    this.random = random;
  }

  /** {@link #COUNT} new codes, formatted for people. */
  List<String> newCodes() {
    List<String> codes = new ArrayList<>(COUNT);
    for (int i = 0; i < COUNT; i++) {
      StringBuilder code = new StringBuilder(LENGTH + 3);
      for (int c = 0; c < LENGTH; c++) {
        if (c > 0 && c % 4 == 0) {
          code.append('-');
        }
        code.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      }
      codes.add(code.toString());
    }
    return codes;
  }

  /**
   * The code as typed, reduced to its 16 characters (case, dashes and spaces ignored; i and l read
   * as 1, o as 0); null when it cannot be a recovery code.
   */
  static String normalize(String typed) {
    if (typed == null) {
      return null;
    }
    StringBuilder out = new StringBuilder(LENGTH);
    for (char ch : typed.toLowerCase(Locale.ROOT).toCharArray()) {
      if (ch == '-' || Character.isWhitespace(ch)) {
        continue;
      }
      char mapped =
          switch (ch) {
            case 'i', 'l' -> '1';
            case 'o' -> '0';
            default -> ch;
          };
      if (ALPHABET.indexOf(mapped) < 0 || out.length() == LENGTH) {
        return null;
      }
      out.append(mapped);
    }
    return out.length() == LENGTH ? out.toString() : null;
  }

  static byte[] hash(UUID account, String normalizedCode) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(TAG);
      sha.update(
          ByteBuffer.allocate(16)
              .putLong(account.getMostSignificantBits())
              .putLong(account.getLeastSignificantBits())
              .array());
      sha.update(normalizedCode.getBytes(StandardCharsets.US_ASCII));
      return sha.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
