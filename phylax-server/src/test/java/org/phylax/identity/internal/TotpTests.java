package org.phylax.identity.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** TOTP against RFC 6238's published values, and the parts Phylax adds around it. */
class TotpTests {

  /** RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890". */
  private static final byte[] RFC_SEED = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

  private final Totp totp = new Totp(new SecureRandom());

  @ParameterizedTest(name = "T = {0} s gives {1}")
  @CsvSource({
    "59, 94287082",
    "1111111109, 07081804",
    "1111111111, 14050471",
    "1234567890, 89005924",
    "2000000000, 69279037",
    "20000000000, 65353130"
  })
  void codeWhenRfc6238Sha1VectorThenMatchesEightDigitsAndItsLastSix(long seconds, String expected) {
    Instant at = Instant.ofEpochSecond(seconds);

    assertThat(new Totp(new SecureRandom(), 8).code(RFC_SEED, at)).isEqualTo(expected);
    // A 6-digit code is the same truncated number modulo 10^6: the vector's last six digits.
    assertThat(totp.code(RFC_SEED, at)).isEqualTo(expected.substring(2));
  }

  @Test
  void matchingStepWhenCodeIsOneStepEitherSideThenAcceptedButTwoStepsAwayRefused() {
    byte[] secret = totp.newSecret();
    Instant now = Instant.parse("2026-11-25T10:00:15Z");
    long step = Totp.stepOf(now);

    for (int offset = -1; offset <= 1; offset++) {
      String code = totp.code(secret, now.plusSeconds(30L * offset));
      assertThat(totp.matchingStep(secret, code, now)).hasValue(step + offset);
    }
    for (int offset : new int[] {-2, 2}) {
      String code = totp.code(secret, now.plusSeconds(30L * offset));
      if (!code.equals(totp.code(secret, now))) { // a 1-in-10^6 coincidence would not be a bug
        assertThat(totp.matchingStep(secret, code, now)).isEmpty();
      }
    }
    assertThat(totp.matchingStep(secret, "12345", now)).isEmpty();
    assertThat(totp.matchingStep(secret, null, now)).isEmpty();
  }

  @Test
  void secretWhenMadeThenTwentyRandomBytesThatSurviveBase32() {
    byte[] a = totp.newSecret();
    byte[] b = totp.newSecret();

    assertThat(a).hasSize(20).isNotEqualTo(b);
    assertThat(Totp.base32(a)).hasSize(32).matches("[A-Z2-7]+");
    assertThat(Totp.fromBase32(Totp.base32(a))).isEqualTo(a);
    // RFC 4648 section 10: BASE32("foobar") = "MZXW6YTBOI======" (Phylax drops the padding).
    assertThat(Totp.base32("foobar".getBytes(StandardCharsets.US_ASCII))).isEqualTo("MZXW6YTBOI");
  }

  @Test
  void uriWhenBuiltThenKeyUriFormatWithIssuerPhylax() {
    String uri = Totp.uri("dr.who@clinic", RFC_SEED);

    assertThat(uri)
        .isEqualTo(
            "otpauth://totp/Phylax%3Adr.who%40clinic?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                + "&issuer=Phylax&algorithm=SHA1&digits=6&period=30");
  }

  @Test
  void qrPngWhenDecodedThenGivesBackTheUri() throws Exception {
    String uri = Totp.uri("nurse.joy", totp.newSecret());

    BufferedImage image = ImageIO.read(new ByteArrayInputStream(Totp.qrPng(uri)));
    int[] pixels =
        image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    String decoded =
        new QRCodeReader()
            .decode(
                new BinaryBitmap(
                    new HybridBinarizer(
                        new RGBLuminanceSource(image.getWidth(), image.getHeight(), pixels))))
            .getText();

    assertThat(decoded).isEqualTo(uri);
  }
}
