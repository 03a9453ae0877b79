package org.phylax.oauth.internal;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.phylax.audit.AuditAction;
import org.phylax.audit.AuditEvent;
import org.phylax.audit.AuditLog;
import org.phylax.oauth.OAuthClients;
import org.phylax.oauth.SmartScopes;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.OAuth2TokenFormat;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.stereotype.Component;

/** Registers clients in Spring Authorization Server's JDBC repository, and audits it. */
@Component
class JdbcOAuthClients implements OAuthClients {

  /** The longest an access token lives (the identity issue's ceiling). */
  static final Duration MAX_ACCESS_TOKEN_TTL = Duration.ofMinutes(15);

  private final RegisteredClientRepository clients;
  private final JdbcTemplate jdbc;
  private final AuditLog audit;

  JdbcOAuthClients(RegisteredClientRepository clients, JdbcTemplate jdbc, AuditLog audit) {
    this.clients = clients;
    this.jdbc = jdbc;
    this.audit = audit;
  }

  @Override
  public Registered addService(String name, Set<String> scopes, String registeredBy) {
    return addService(name, scopes, MAX_ACCESS_TOKEN_TTL, registeredBy);
  }

  /** As {@link #addService(String, Set, String)}, with a shorter access token lifetime. */
  Registered addService(String name, Set<String> scopes, Duration ttl, String registeredBy) {
    checkName(name);
    if (scopes == null || scopes.isEmpty()) {
      throw new IllegalArgumentException("a client needs at least one scope, e.g. system/*.read");
    }
    for (String scope : scopes) {
      if (!SmartScopes.isSystem(scope)) {
        throw new IllegalArgumentException(
            "scope '"
                + scope
                + "' is not a system scope (system/<Type or *>.<read|write|*|cruds>)");
      }
    }
    if (ttl.compareTo(Duration.ofSeconds(5)) < 0 || ttl.compareTo(MAX_ACCESS_TOKEN_TTL) > 0) {
      throw new IllegalArgumentException("token lifetime must be between 5s and 15m");
    }
    String clientId = "svc-" + UUID.randomUUID();
    String secret = ClientSecrets.newSecret();
    RegisteredClient client =
        RegisteredClient.withId(UUID.randomUUID().toString())
            .clientId(clientId)
            .clientName(name.strip())
            .clientSecret(ClientSecrets.ENCODER.encode(secret))
            .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
            .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
            .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
            .scopes(s -> s.addAll(scopes))
            .tokenSettings(
                TokenSettings.builder()
                    .accessTokenFormat(OAuth2TokenFormat.SELF_CONTAINED)
                    .accessTokenTimeToLive(ttl)
                    .build())
            .build();
    audit.record(
        AuditEvent.builder(AuditAction.ADMIN, AuditEvent.Outcome.SUCCESS)
            .actor(registeredBy, "operator", null)
            .entity("OAuthClient", clientId, null)
            .reason("client registered for client_credentials with " + sorted(scopes))
            .build());
    clients.save(client);
    return new Registered(clientId, secret, Set.copyOf(scopes));
  }

  /** How long a refresh token of a confidential app lives; each use replaces it. */
  static final Duration REFRESH_TOKEN_TTL = Duration.ofHours(12);

  @Override
  public Registered addApp(
      String name,
      Set<String> redirectUris,
      Set<String> scopes,
      boolean confidential,
      String registeredBy) {
    checkName(name);
    if (scopes == null || scopes.isEmpty()) {
      throw new IllegalArgumentException("an app needs at least one scope, e.g. patient/*.read");
    }
    for (String scope : scopes) {
      if (!SmartScopes.isValid(scope) || SmartScopes.isSystem(scope)) {
        throw new IllegalArgumentException(
            "scope '" + scope + "' is not a patient/ or user/ scope an app may ask for");
      }
    }
    if (redirectUris == null || redirectUris.isEmpty()) {
      throw new IllegalArgumentException("an app needs at least one redirect URI");
    }
    for (String uri : redirectUris) {
      checkRedirect(uri);
    }
    String clientId = "app-" + UUID.randomUUID();
    String secret = confidential ? ClientSecrets.newSecret() : null;
    RegisteredClient.Builder client =
        RegisteredClient.withId(UUID.randomUUID().toString())
            .clientId(clientId)
            .clientName(name.strip())
            .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
            .redirectUris(u -> u.addAll(redirectUris))
            .scopes(s -> s.addAll(scopes))
            .clientSettings(
                ClientSettings.builder()
                    .requireProofKey(true)
                    .requireAuthorizationConsent(false)
                    .build())
            .tokenSettings(
                TokenSettings.builder()
                    .accessTokenFormat(OAuth2TokenFormat.SELF_CONTAINED)
                    .accessTokenTimeToLive(MAX_ACCESS_TOKEN_TTL)
                    .authorizationCodeTimeToLive(Duration.ofMinutes(1))
                    .refreshTokenTimeToLive(REFRESH_TOKEN_TTL)
                    .reuseRefreshTokens(false)
                    .build());
    if (confidential) {
      client
          .clientSecret(ClientSecrets.ENCODER.encode(secret))
          .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
          .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
          .authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN);
    } else {
      client.clientAuthenticationMethod(ClientAuthenticationMethod.NONE);
    }
    audit.record(
        AuditEvent.builder(AuditAction.ADMIN, AuditEvent.Outcome.SUCCESS)
            .actor(registeredBy, "operator", null)
            .entity("OAuthClient", clientId, null)
            .reason(
                (confidential ? "confidential" : "public")
                    + " app registered for authorization_code with "
                    + sorted(scopes))
            .build());
    clients.save(client.build());
    return new Registered(clientId, secret, Set.copyOf(scopes));
  }

  private static void checkName(String name) {
    if (name == null || name.isBlank() || name.length() > 100 || !name.matches("\\P{Cntrl}+")) {
      throw new IllegalArgumentException("a client name is 1 to 100 printable characters");
    }
  }

  /**
   * An absolute https URI, or http on the loopback interface (RFC 8252 native apps), no fragment.
   */
  private static void checkRedirect(String uri) {
    java.net.URI parsed;
    try {
      parsed = new java.net.URI(uri);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("redirect URI '" + uri + "' is not a URI");
    }
    boolean loopback =
        "http".equals(parsed.getScheme())
            && ("127.0.0.1".equals(parsed.getHost()) || "[::1]".equals(parsed.getHost()));
    if (!(("https".equals(parsed.getScheme()) && parsed.getHost() != null) || loopback)
        || parsed.getFragment() != null) {
      throw new IllegalArgumentException(
          "redirect URI '"
              + uri
              + "' must be https://…, or http://127.0.0.1… for a native app, without a fragment");
    }
  }

  @Override
  public List<Client> list() {
    List<String> ids =
        jdbc.queryForList(
            "select id from oauth2_registered_client order by client_id_issued_at, client_id",
            String.class);
    return ids.stream()
        .map(clients::findById)
        .map(
            c ->
                new Client(
                    c.getClientId(),
                    c.getClientName(),
                    c.getAuthorizationGrantTypes().stream()
                        .map(AuthorizationGrantType::getValue)
                        .collect(Collectors.toCollection(TreeSet::new)),
                    new TreeSet<>(c.getScopes())))
        .toList();
  }

  private static String sorted(Set<String> scopes) {
    return String.join(" ", scopes.stream().sorted().toList());
  }
}
