package org.phylax.identity;

import java.util.Objects;
import java.util.UUID;

/**
 * Who performs an administrative change, as the audit log and the account's history name them: a
 * signed-in user (by account id), an operator at the command line (by OS account, role {@code
 * operator}), or Phylax itself ({@code system:<task>}). Every change also carries where it came
 * from ({@link ClientInfo}).
 */
public final class Actor {

  private final String id;
  private final String role;
  private final ClientInfo client;

  private Actor(String id, String role, ClientInfo client) {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("an actor has an id");
    }
    this.id = id;
    this.role = role;
    this.client = Objects.requireNonNull(client, "client");
  }

  /** An operator running {@code ./phylax users …} as the OS account {@code osUser}. */
  public static Actor operator(String osUser) {
    return new Actor(osUser, "operator", ClientInfo.none());
  }

  /** A signed-in user acting through the web app or API. */
  public static Actor user(UUID accountId, String roles, ClientInfo client) {
    return new Actor(accountId.toString(), roles, client);
  }

  /** Phylax itself, for a named task ({@code bootstrap}, {@code demo}). */
  public static Actor system(String task) {
    return new Actor("system:" + task, "system", ClientInfo.none());
  }

  public String id() {
    return id;
  }

  public String role() {
    return role;
  }

  public ClientInfo client() {
    return client;
  }

  @Override
  public String toString() {
    return "Actor[" + id + ", " + role + "]";
  }
}
