package org.phylax.oauth.internal;

import java.security.Principal;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.server.authorization.JdbcOAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.JdbcRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

/**
 * Where clients and issued authorizations live: PostgreSQL, through Spring Authorization Server's
 * JDBC repositories, so that every node sees every token and the CLI can register clients with the
 * server running or not.
 */
@Configuration(proxyBeanMethods = false)
class OAuthStoreConfiguration {

  @Bean
  RegisteredClientRepository registeredClientRepository(JdbcTemplate jdbc) {
    return new JdbcRegisteredClientRepository(jdbc);
  }

  @Bean
  OAuth2AuthorizationService authorizationService(
      JdbcTemplate jdbc, RegisteredClientRepository clients) {
    return new PlainPrincipals(new JdbcOAuth2AuthorizationService(jdbc, clients));
  }

  /**
   * Stores the signed-in user of an authorization as a plain authentication (the account id as
   * name, the authorities), not as whatever principal type the sign-in pages use: the JDBC store
   * writes it as JSON and reads back only types on its allowlist, and the token endpoint needs no
   * more than the name.
   */
  static final class PlainPrincipals implements OAuth2AuthorizationService {
    private final OAuth2AuthorizationService delegate;

    PlainPrincipals(OAuth2AuthorizationService delegate) {
      this.delegate = delegate;
    }

    @Override
    public void save(OAuth2Authorization authorization) {
      Object principal = authorization.getAttribute(Principal.class.getName());
      if (principal instanceof Authentication user && !(user.getPrincipal() instanceof String)) {
        authorization =
            OAuth2Authorization.from(authorization)
                .attribute(
                    Principal.class.getName(),
                    UsernamePasswordAuthenticationToken.authenticated(
                        user.getName(),
                        null,
                        user.getAuthorities().stream()
                            .map(a -> new SimpleGrantedAuthority(a.getAuthority()))
                            .toList()))
                .build();
      }
      delegate.save(authorization);
    }

    @Override
    public void remove(OAuth2Authorization authorization) {
      delegate.remove(authorization);
    }

    @Override
    public OAuth2Authorization findById(String id) {
      return delegate.findById(id);
    }

    @Override
    public OAuth2Authorization findByToken(String token, OAuth2TokenType tokenType) {
      return delegate.findByToken(token, tokenType);
    }
  }
}
