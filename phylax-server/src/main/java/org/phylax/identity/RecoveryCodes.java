package org.phylax.identity;

import java.util.List;

/**
 * One-time recovery codes, in clear only at the moment they are made (Phylax keeps their hashes).
 * Each signs in once in place of a TOTP code. {@code toString()} prints none of them.
 */
public final class RecoveryCodes {

  private final List<String> codes;

  public RecoveryCodes(List<String> codes) {
    this.codes = List.copyOf(codes);
  }

  /** The codes as shown to the user, {@code xxxx-xxxx-xxxx-xxxx}. */
  public List<String> codes() {
    return codes;
  }

  @Override
  public String toString() {
    return "RecoveryCodes[" + codes.size() + " codes]";
  }
}
