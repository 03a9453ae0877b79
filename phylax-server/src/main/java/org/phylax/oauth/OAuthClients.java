package org.phylax.oauth;

import java.util.List;
import java.util.Set;

/**
 * The OAuth clients that may ask for tokens. Backend services use the client_credentials grant with
 * SMART {@code system/…} scopes; each client's secret is shown once, at registration, and stored
 * only as a hash.
 */
public interface OAuthClients {

  /**
   * Registers a confidential client for client_credentials.
   *
   * @param name a label for people (1–100 printable characters)
   * @param scopes SMART scopes, e.g. {@code system/*.read}, {@code system/Patient.rs}
   * @throws IllegalArgumentException naming the scope or name that is not acceptable
   */
  Registered addService(String name, Set<String> scopes, String registeredBy);

  /**
   * Registers an app that acts for a signed-in user: authorization_code with PKCE (S256) to the
   * given redirect URIs. A public app (a browser or mobile app that cannot keep a secret) gets no
   * secret and no refresh token; a confidential one gets a secret and refresh tokens that rotate.
   *
   * @param scopes SMART {@code patient/…} or {@code user/…} scopes, {@code openid}, {@code
   *     fhirUser}, {@code launch/patient}, {@code offline_access}
   * @throws IllegalArgumentException naming the scope, redirect URI or name that is not acceptable
   */
  Registered addApp(
      String name,
      Set<String> redirectUris,
      Set<String> scopes,
      boolean confidential,
      String registeredBy);

  /** Every registered client, oldest first. */
  List<Client> list();

  /** A client just registered: the only time its secret is known (null for a public app). */
  record Registered(String clientId, String clientSecret, Set<String> scopes) {
    @Override
    public String toString() {
      return "Registered[clientId=" + clientId + ", scopes=" + scopes + "]";
    }
  }

  /** A registered client as listed. */
  record Client(String clientId, String name, Set<String> grantTypes, Set<String> scopes) {}
}
