package org.phylax.identity;

/** Another account already has this username (compared without regard to case). */
public final class UsernameTakenException extends AccountException {

  public UsernameTakenException(String username) {
    super("username '" + username + "' is already taken");
  }
}
