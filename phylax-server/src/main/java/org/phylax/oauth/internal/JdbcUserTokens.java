package org.phylax.oauth.internal;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.phylax.audit.AuditAction;
import org.phylax.audit.AuditEvent;
import org.phylax.audit.AuditLog;
import org.phylax.identity.Account;
import org.phylax.identity.Accounts;
import org.phylax.oauth.UserTokens;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.stereotype.Component;

/**
 * Mints operator-issued user tokens: signs the same claims the token endpoint would, and records
 * the authorization under the built-in client {@value #CLI_CLIENT}, so that the bearer guard, the
 * introspection and revocation endpoints treat the token like any other.
 */
@Component
class JdbcUserTokens implements UserTokens {

  /** The client id operator-issued tokens are recorded under; it cannot get tokens itself. */
  static final String CLI_CLIENT = "phylax-cli";

  static final AuthorizationGrantType OPERATOR_ISSUED =
      new AuthorizationGrantType("urn:phylax:operator-issued");

  private final Accounts accounts;
  private final SigningKeys keys;
  private final RegisteredClientRepository clients;
  private final OAuth2AuthorizationService authorizations;
  private final AuditLog audit;

  JdbcUserTokens(
      Accounts accounts,
      SigningKeys keys,
      RegisteredClientRepository clients,
      OAuth2AuthorizationService authorizations,
      AuditLog audit) {
    this.accounts = accounts;
    this.keys = keys;
    this.clients = clients;
    this.authorizations = authorizations;
    this.audit = audit;
  }

  @Override
  public Issued issue(String username, Duration ttl, String operator) {
    if (ttl == null || ttl.compareTo(Duration.ofMinutes(1)) < 0 || ttl.compareTo(MAX_TTL) > 0) {
      throw new IllegalArgumentException("--ttl must be between 1m and 1h");
    }
    Account account =
        accounts
            .find(username)
            .orElseThrow(() -> new IllegalArgumentException("no account named " + username));
    if (!UserClaims.isActive(account, Instant.now())) {
      throw new IllegalArgumentException(
          "account " + account.username() + " is " + account.status().key());
    }
    RegisteredClient client = cliClient();
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Instant expires = now.plus(ttl);
    Set<String> scopes = UserClaims.scopes(account);
    JwtClaimsSet.Builder claims =
        JwtClaimsSet.builder()
            .subject(account.id().toString())
            .issuedAt(now)
            .notBefore(now)
            .expiresAt(expires)
            .id(UUID.randomUUID().toString())
            .claim("client_id", CLI_CLIENT)
            .claim("scope", new ArrayList<>(new TreeSet<>(scopes)));
    UserClaims.add(account, claims::claim);
    var jwk = keys.current();
    Jwt jwt =
        new NimbusJwtEncoder(new ImmutableJWKSet<>(new JWKSet(jwk)))
            .encode(
                JwtEncoderParameters.from(
                    JwsHeader.with(SignatureAlgorithm.ES256).keyId(jwk.getKeyID()).build(),
                    claims.build()));

    audit.record(
        AuditEvent.builder(AuditAction.LOGIN, AuditEvent.Outcome.SUCCESS)
            .actor(operator, "operator", CLI_CLIENT)
            .entity("Account", account.id().toString(), null)
            .reason("access token issued by the operator for " + ttl.toSeconds() + " s")
            .build());
    authorizations.save(
        OAuth2Authorization.withRegisteredClient(client)
            .id(UUID.randomUUID().toString())
            .principalName(account.id().toString())
            .authorizationGrantType(OPERATOR_ISSUED)
            .authorizedScopes(scopes)
            .token(
                new OAuth2AccessToken(
                    OAuth2AccessToken.TokenType.BEARER, jwt.getTokenValue(), now, expires, scopes),
                metadata ->
                    metadata.put(OAuth2Authorization.Token.CLAIMS_METADATA_NAME, jwt.getClaims()))
            .build());
    return new Issued(jwt.getTokenValue(), expires);
  }

  /** The built-in client, registered on first use with a secret nobody keeps. */
  private RegisteredClient cliClient() {
    RegisteredClient existing = clients.findByClientId(CLI_CLIENT);
    if (existing != null) {
      return existing;
    }
    RegisteredClient made =
        RegisteredClient.withId(UUID.randomUUID().toString())
            .clientId(CLI_CLIENT)
            .clientName("Tokens issued by an operator (./phylax users token)")
            .clientSecret(ClientSecrets.ENCODER.encode(ClientSecrets.newSecret()))
            .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
            .authorizationGrantType(OPERATOR_ISSUED)
            .scope("user/*.cruds")
            .build();
    try {
      clients.save(made);
    } catch (RuntimeException raced) {
      RegisteredClient other = clients.findByClientId(CLI_CLIENT);
      if (other == null) {
        throw raced;
      }
      return other;
    }
    return made;
  }
}
