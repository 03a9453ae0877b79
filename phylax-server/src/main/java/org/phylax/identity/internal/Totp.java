package org.phylax.identity.internal;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import javax.crypto.spec.SecretKeySpec;
import javax.imageio.ImageIO;
import org.apache.commons.codec.binary.Base32;

/**
 * TOTP as in RFC 6238 with the parameters every authenticator app takes by default: HMAC-SHA-1, 6
 * digits, 30-second steps (codes by java-otp). A code is accepted for the current step and one step
 * either side (clock skew); the caller remembers the step a code was accepted for, so that no code
 * is accepted twice. Secrets are 20 random bytes (160 bits, RFC 4226's recommendation).
 */
final class Totp {

  static final String ISSUER = "Phylax";
  static final Duration STEP = Duration.ofSeconds(30);
  static final int DIGITS = 6;
  static final int SECRET_BYTES = 20;

  /** Steps accepted either side of the current one. */
  static final int SKEW_STEPS = 1;

  private static final Base32 BASE32 = new Base32();

  private final TimeBasedOneTimePasswordGenerator generator;
  private final SecureRandom random;

  Totp(SecureRandom random) {
    this(random, DIGITS);
  }

  /** A generator with another code length (the RFC 6238 vectors have 8 digits). */
  Totp(SecureRandom random, int digits) {
    this.generator =
        new TimeBasedOneTimePasswordGenerator(
            STEP, digits, TimeBasedOneTimePasswordGenerator.TOTP_ALGORITHM_HMAC_SHA1);
    this.random = random;
  }

  byte[] newSecret() {
    byte[] secret = new byte[SECRET_BYTES];
    random.nextBytes(secret);
    return secret;
  }

  /** The time step of {@code at}: whole steps since the Unix epoch. */
  static long stepOf(Instant at) {
    return Math.floorDiv(at.getEpochSecond(), STEP.getSeconds());
  }

  /** The code for the step that contains {@code at}. */
  String code(byte[] secret, Instant at) {
    try {
      return generator.generateOneTimePasswordString(
          new SecretKeySpec(secret, "RAW"), at, Locale.ROOT);
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("TOTP secret rejected by HMAC", e);
    }
  }

  /**
   * The step, within the skew of {@code now}, whose code is {@code code}; empty when none is.
   * Compares every candidate in constant time.
   */
  OptionalLong matchingStep(byte[] secret, String code, Instant now) {
    if (code == null || code.length() != generator.getPasswordLength()) {
      return OptionalLong.empty();
    }
    byte[] given = code.getBytes(StandardCharsets.US_ASCII);
    long current = stepOf(now);
    long found = Long.MIN_VALUE;
    for (long step = current - SKEW_STEPS; step <= current + SKEW_STEPS; step++) {
      byte[] expected =
          code(secret, Instant.ofEpochSecond(step * STEP.getSeconds()))
              .getBytes(StandardCharsets.US_ASCII);
      if (MessageDigest.isEqual(expected, given) && found == Long.MIN_VALUE) {
        found = step;
      }
    }
    return found == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(found);
  }

  /** Base32 (RFC 4648) without padding, as authenticator apps take a secret. */
  static String base32(byte[] secret) {
    return BASE32.encodeAsString(secret).replace("=", "");
  }

  static byte[] fromBase32(String text) {
    return BASE32.decode(text.toUpperCase(Locale.ROOT));
  }

  /** The Key URI Format that authenticator apps read from QR codes. */
  static String uri(String username, byte[] secret) {
    String label = encode(ISSUER + ":" + username);
    return "otpauth://totp/"
        + label
        + "?secret="
        + base32(secret)
        + "&issuer="
        + encode(ISSUER)
        + "&algorithm=SHA1&digits="
        + DIGITS
        + "&period="
        + STEP.getSeconds();
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** {@code text} as a QR code PNG: 6 pixels a module, the standard 4-module quiet zone. */
  static byte[] qrPng(String text) {
    BitMatrix matrix;
    try {
      matrix =
          new QRCodeWriter()
              .encode(
                  text,
                  BarcodeFormat.QR_CODE,
                  0,
                  0,
                  Map.of(
                      EncodeHintType.ERROR_CORRECTION,
                      ErrorCorrectionLevel.M,
                      EncodeHintType.MARGIN,
                      4));
    } catch (WriterException e) {
      throw new IllegalStateException("QR code could not be made", e);
    }
    int scale = 6;
    int width = matrix.getWidth() * scale;
    int height = matrix.getHeight() * scale;
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_BINARY);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, matrix.get(x / scale, y / scale) ? 0xFF000000 : 0xFFFFFFFF);
      }
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", png);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return png.toByteArray();
  }
}
