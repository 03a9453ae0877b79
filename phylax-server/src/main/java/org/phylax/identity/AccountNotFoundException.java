package org.phylax.identity;

/** No account has that username (or id). */
public final class AccountNotFoundException extends AccountException {

  public AccountNotFoundException(String username) {
    super("no account '" + username + "'");
  }
}
