package org.phylax.identity.internal;

import java.security.SecureRandom;
import java.time.Instant;

/**
 * TOTP codes for tests in other packages, computed by the identity module's own {@link Totp} from a
 * secret in base32 as enrollment hands it out.
 */
public final class TotpCodes {

  private static final Totp TOTP = new Totp(new SecureRandom());

  private TotpCodes() {}

  /** The code of the 30-second step that contains {@code at}. */
  public static String at(String base32Secret, Instant at) {
    return TOTP.code(Totp.fromBase32(base32Secret), at);
  }

  /**
   * A code that is valid now and not used yet, even right after enrollment used the current step:
   * the next step's (one step of skew is accepted).
   */
  public static String next(String base32Secret) {
    return at(base32Secret, Instant.now().plusSeconds(30));
  }

  /** A six-digit code that matches none of the steps accepted now. */
  public static String wrong(String base32Secret) {
    Instant now = Instant.now();
    for (int candidate = 0; ; candidate++) {
      String code = String.format("%06d", candidate * 7919 % 1_000_000);
      boolean valid = false;
      for (int step = -2; step <= 2; step++) {
        valid |= code.equals(at(base32Secret, now.plusSeconds(30L * step)));
      }
      if (!valid) {
        return code;
      }
    }
  }
}
