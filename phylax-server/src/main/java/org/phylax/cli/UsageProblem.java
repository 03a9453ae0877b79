package org.phylax.cli;

/**
 * A command was given input it cannot use (an unknown role, a malformed id): exit 2 with the
 * message as the one line on stderr. The message names no secret.
 */
final class UsageProblem extends RuntimeException {

  UsageProblem(String message) {
    super(message);
  }
}
