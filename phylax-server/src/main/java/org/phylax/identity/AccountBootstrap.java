package org.phylax.identity;

import java.util.Optional;

/**
 * The first administrator. On a database without accounts, {@code serve} creates {@code admin}
 * (role admin) with a random password that the operator sees once on the console; the account
 * enrolls its second factor at its first sign-in.
 */
public interface AccountBootstrap {

  /** The username of the first administrator. */
  String ADMIN = "admin";

  /**
   * Creates {@code admin} when no account exists at all (across nodes: only one of several servers
   * starting together creates it) and returns its password; empty when any account exists.
   */
  Optional<InitialPassword> createAdminIfNoAccounts();

  /** A generated password, in clear this once; {@code toString()} does not print it. */
  final class InitialPassword {
    private final String username;
    private final String password;

    public InitialPassword(String username, String password) {
      this.username = username;
      this.password = password;
    }

    public String username() {
      return username;
    }

    public String password() {
      return password;
    }

    @Override
    public String toString() {
      return "InitialPassword[" + username + ", ***]";
    }
  }
}
