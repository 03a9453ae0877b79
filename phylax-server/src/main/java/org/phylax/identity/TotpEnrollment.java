package org.phylax.identity;

/**
 * A TOTP secret on its way into the user's authenticator app: the secret in base32 (for typing in),
 * the {@code otpauth://} URI (issuer Phylax, SHA-1, 6 digits, 30 s) and that URI as a QR code PNG.
 * Holds a secret: show it to its user only, never log it; {@code toString()} prints none of it.
 */
public final class TotpEnrollment {

  private final String secret;
  private final String uri;
  private final byte[] qrPng;

  public TotpEnrollment(String secret, String uri, byte[] qrPng) {
    this.secret = secret;
    this.uri = uri;
    this.qrPng = qrPng.clone();
  }

  /** The secret in base32 without padding, as authenticator apps take it typed in. */
  public String secret() {
    return secret;
  }

  /** {@code otpauth://totp/Phylax:<username>?secret=…&issuer=Phylax&…}. */
  public String uri() {
    return uri;
  }

  /** The URI as a QR code, a PNG image. */
  public byte[] qrPng() {
    return qrPng.clone();
  }

  @Override
  public String toString() {
    return "TotpEnrollment[secret=***]";
  }
}
