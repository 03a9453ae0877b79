package org.phylax.oauth.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * Client secrets: 256 random bits made by Phylax, stored as their SHA-256. A slow password hash
 * protects guessable secrets people choose; these are not guessable, and the token endpoint checks
 * one on every request, so a plain digest compared in constant time is the right tool.
 */
final class ClientSecrets implements PasswordEncoder {

  static final ClientSecrets ENCODER = new ClientSecrets();
  private static final String PREFIX = "sha256:";
  private static final SecureRandom RANDOM = new SecureRandom();

  private ClientSecrets() {}

  static String newSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  @Override
  public String encode(CharSequence raw) {
    return PREFIX + HexFormat.of().formatHex(digest(raw));
  }

  @Override
  public boolean matches(CharSequence raw, String encoded) {
    if (raw == null || encoded == null || !encoded.startsWith(PREFIX)) {
      return false;
    }
    byte[] expected;
    try {
      expected = HexFormat.of().parseHex(encoded.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(expected, digest(raw));
  }

  private static byte[] digest(CharSequence raw) {
    try {
      return MessageDigest.getInstance("SHA-256")
          .digest(raw.toString().getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
