package org.phylax.identity;

/**
 * An account operation was refused because of what was asked: a malformed username, an unknown or
 * missing role, a username already taken, a weak password, no such account. The message is one line
 * fit to show the person who asked; it never holds a password, a code or a display name.
 */
public class AccountException extends RuntimeException {

  public AccountException(String message) {
    super(message);
  }
}
