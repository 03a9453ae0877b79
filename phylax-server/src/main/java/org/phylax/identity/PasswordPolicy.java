package org.phylax.identity;

import java.util.List;

/**
 * Phylax's password rules: at least 12 characters (at most 256), not the username nor containing
 * it, and not one of the common passwords shipped with Phylax, with or without digits and symbols
 * added at its ends. Pages may call it to explain a refusal before submitting.
 */
public interface PasswordPolicy {

  /** Every rule {@code password} breaks for {@code username}, one message each; empty if none. */
  List<String> violations(String username, String password);
}
