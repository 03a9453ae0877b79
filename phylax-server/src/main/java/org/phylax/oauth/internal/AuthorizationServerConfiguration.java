package org.phylax.oauth.internal;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.phylax.audit.AuditAction;
import org.phylax.audit.AuditEvent;
import org.phylax.audit.AuditLog;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.oauth2.server.authorization.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.authentication.ClientSecretAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.oauth2.server.resource.web.access.BearerTokenAccessDeniedHandler;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.savedrequest.HttpSessionRequestCache;
import org.springframework.security.web.savedrequest.RequestCache;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The OAuth 2 authorization server ({@code /oauth2/token}, {@code /oauth2/jwks}, {@code
 * /oauth2/introspect}, {@code /oauth2/revoke}) and the bearer-token guard of {@code /fhir/**} and
 * {@code /api/**}.
 *
 * <p>{@code /oauth2/authorize} knows the user by the web session of the sign-in pages (module
 * {@code web}): a browser that is not signed in is sent to {@code /login} and comes back after.
 *
 * <p>Access tokens are ES256 JWTs of at most 15 minutes. A resource request's token must verify
 * against the signing key, be within its lifetime (5 s of clock skew), and still be on record as
 * issued and not revoked, so revocation takes effect on the next request.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class AuthorizationServerConfiguration {

  static final Duration CLOCK_SKEW = Duration.ofSeconds(5);

  @Bean
  @Order(1)
  SecurityFilterChain authorizationServerSecurity(
      HttpSecurity http,
      RegisteredClientRepository clients,
      OAuth2AuthorizationService authorizations,
      AuditLog audit)
      throws Exception {
    OAuth2AuthorizationServerConfigurer server = new OAuth2AuthorizationServerConfigurer();
    http.securityMatcher(server.getEndpointsMatcher())
        .with(
            server,
            as ->
                as.registeredClientRepository(clients)
                    .authorizationService(authorizations)
                    .clientAuthentication(
                        c ->
                            c.authenticationProviders(
                                    providers ->
                                        providers.forEach(
                                            p -> {
                                              if (p
                                                  instanceof ClientSecretAuthenticationProvider s) {
                                                s.setPasswordEncoder(ClientSecrets.ENCODER);
                                              }
                                            }))
                                .errorResponseHandler(clientAuthenticationFailed(audit))))
        .authorizeHttpRequests(a -> a.anyRequest().authenticated())
        .csrf(c -> c.ignoringRequestMatchers(server.getEndpointsMatcher()))
        // Not stateless: /oauth2/authorize signs the user in with the web session (the pages at
        // /login). Only a browser's request is saved in a session to return to after sign-in, so
        // that API clients refused here leave no session behind.
        .requestCache(r -> r.requestCache(browserRequestCache()))
        .exceptionHandling(e -> e.authenticationEntryPoint(signInOrProblem()));
    return http.build();
  }

  /** Browsers (asking for HTML) go to the sign-in page; other clients get a 401 problem. */
  private static AuthenticationEntryPoint signInOrProblem() {
    LoginUrlAuthenticationEntryPoint signIn = new LoginUrlAuthenticationEntryPoint("/login");
    RequestMatcher browser = browser();
    return (request, response, ex) -> {
      if (browser.matches(request)) {
        signIn.commence(request, response, ex);
      } else {
        ApiErrors.problem(response, 401, "Unauthorized", "Client authentication is required.");
      }
    };
  }

  private static RequestCache browserRequestCache() {
    HttpSessionRequestCache cache = new HttpSessionRequestCache();
    cache.setRequestMatcher(browser());
    return cache;
  }

  /** A request that accepts HTML explicitly (not merely {@code *}{@code /*}). */
  private static RequestMatcher browser() {
    MediaTypeRequestMatcher html = new MediaTypeRequestMatcher(MediaType.TEXT_HTML);
    html.setIgnoredMediaTypes(Set.of(MediaType.ALL));
    return html;
  }

  /** A client that fails to authenticate at a token endpoint: audited, then OAuth's own answer. */
  private static AuthenticationFailureHandler clientAuthenticationFailed(AuditLog audit) {
    return (request, response, exception) -> {
      audit.record(
          AuditEvent.builder(AuditAction.LOGIN_FAILED, AuditEvent.Outcome.FAILURE)
              .actor(null, "service", clientIdOf(request))
              .source(request.getRemoteAddr(), request.getHeader("User-Agent"), null)
              .reason("client authentication failed at " + request.getRequestURI())
              .build());
      response.setStatus(401);
      response.setContentType("application/json");
      response.setHeader("Cache-Control", "no-store");
      response.getWriter().write("{\"error\":\"invalid_client\"}");
    };
  }

  /** The client id a request claims, from Basic credentials or the form; null when none. */
  private static String clientIdOf(HttpServletRequest request) {
    String header = request.getHeader("Authorization");
    if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        String decoded =
            new String(
                java.util.Base64.getDecoder().decode(header.substring(6).trim()),
                java.nio.charset.StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        return truncate(colon < 0 ? decoded : decoded.substring(0, colon));
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    return truncate(request.getParameter("client_id"));
  }

  private static String truncate(String value) {
    return value == null || value.length() <= 100 ? value : value.substring(0, 100);
  }

  @Bean
  AuthorizationServerSettings authorizationServerSettings() {
    return AuthorizationServerSettings.builder().build();
  }

  @Bean
  JWKSource<SecurityContext> jwkSource(SigningKeys keys) {
    return (selector, context) -> selector.select(new JWKSet(keys.current()));
  }

  /** ES256 headers, the client id claim, and an audit event for every access token issued. */
  @Bean
  OAuth2TokenCustomizer<JwtEncodingContext> accessTokenClaims(
      AuditLog audit, org.phylax.identity.Accounts accounts) {
    return context -> {
      if (!OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
        return;
      }
      context.getJwsHeader().algorithm(SignatureAlgorithm.ES256);
      String clientId = context.getRegisteredClient().getClientId();
      context.getClaims().claim("client_id", clientId);
      String actor = context.getPrincipal().getName();
      String role = "service";
      if (!AuthorizationGrantType.CLIENT_CREDENTIALS.equals(context.getAuthorizationGrantType())) {
        // A user's token (authorization_code, refresh_token): only for an account that may act.
        org.phylax.identity.Account account =
            accountOf(accounts, actor)
                .filter(a -> UserClaims.isActive(a, java.time.Instant.now()))
                .orElseThrow(
                    () ->
                        new OAuth2AuthenticationException(
                            new OAuth2Error("invalid_grant", "The account is not active.", null)));
        context.getClaims().subject(account.id().toString());
        UserClaims.add(account, context.getClaims()::claim);
        actor = account.id().toString();
        role = account.roleKeys();
      }
      HttpServletRequest request = currentRequest();
      audit.record(
          AuditEvent.builder(AuditAction.LOGIN, AuditEvent.Outcome.SUCCESS)
              .actor(actor, role, clientId)
              .source(
                  request == null ? null : request.getRemoteAddr(),
                  request == null ? null : request.getHeader("User-Agent"),
                  null)
              .reason(
                  "access token issued ("
                      + context.getAuthorizationGrantType().getValue()
                      + ") with "
                      + String.join(" ", context.getAuthorizedScopes().stream().sorted().toList()))
              .build());
    };
  }

  /** The account a signed-in principal names: its id, or else its username. */
  private static java.util.Optional<org.phylax.identity.Account> accountOf(
      org.phylax.identity.Accounts accounts, String name) {
    try {
      return accounts.findById(java.util.UUID.fromString(name));
    } catch (IllegalArgumentException notAnId) {
      return accounts.find(name);
    }
  }

  private static HttpServletRequest currentRequest() {
    return RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes a
        ? a.getRequest()
        : null;
  }

  /**
   * No observation (timer and span) around each of Spring Security's filters and decisions: under
   * load they cost about a tenth of the server's CPU and nothing reads them. Requests are still
   * logged and counted (the request log, {@code http.server.requests}).
   */
  @Bean
  static org.springframework.security.config.observation.SecurityObservationSettings
      securityObservations() {
    return org.springframework.security.config.observation.SecurityObservationSettings
        .noObservations();
  }

  @Bean
  JwtDecoder jwtDecoder(
      JWKSource<SecurityContext> jwkSource,
      org.springframework.jdbc.core.JdbcTemplate jdbc,
      ActiveAccounts accounts) {
    NimbusJwtDecoder signatures =
        NimbusJwtDecoder.withJwkSource(jwkSource).jwsAlgorithm(SignatureAlgorithm.ES256).build();
    signatures.setJwtValidator(jwt -> OAuth2TokenValidatorResult.success());
    List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
    validators.add(new JwtTimestampValidator(CLOCK_SKEW));
    validators.add(stillIssued(jdbc));
    validators.add(accountStillActive(accounts));
    return new VerifiedTokens(
        signatures, new DelegatingOAuth2TokenValidator<>(validators), 10_000, Duration.ofHours(1));
  }

  /** Refuses a user token whose account was disabled or locked (within 30 s of the change). */
  private static OAuth2TokenValidator<Jwt> accountStillActive(ActiveAccounts accounts) {
    return jwt -> {
      String account = jwt.getClaimAsString(UserClaims.ACCOUNT);
      if (account == null) {
        return OAuth2TokenValidatorResult.success(); // a service's token
      }
      boolean active;
      try {
        active = accounts.isActive(java.util.UUID.fromString(account));
      } catch (IllegalArgumentException e) {
        active = false;
      }
      return active
          ? OAuth2TokenValidatorResult.success()
          : OAuth2TokenValidatorResult.failure(
              new OAuth2Error("invalid_token", "The account is not active.", null));
    };
  }

  /**
   * Refuses a token that is not on record as issued and unexpired, or that was revoked (directly,
   * or with the refresh token it came with). One indexed look-up of the token's own columns:
   * loading the whole authorization through the authorization service, with its client and
   * attributes parsed from JSON, cost about a tenth of the server's CPU under load.
   */
  private static OAuth2TokenValidator<Jwt> stillIssued(
      org.springframework.jdbc.core.JdbcTemplate jdbc) {
    return jwt -> {
      List<String> metadata =
          jdbc.query(
              "select access_token_metadata from oauth2_authorization"
                  + " where access_token_value = ? and access_token_expires_at > now()",
              (rs, i) -> rs.getString(1),
              jwt.getTokenValue());
      if (metadata.isEmpty()) {
        return OAuth2TokenValidatorResult.failure(
            new OAuth2Error(
                "invalid_token", "The token is not known to this server or has expired.", null));
      }
      if (invalidated(metadata.get(0))) {
        return OAuth2TokenValidatorResult.failure(
            new OAuth2Error("invalid_token", "The token was revoked.", null));
      }
      return OAuth2TokenValidatorResult.success();
    };
  }

  private static final tools.jackson.databind.json.JsonMapper METADATA =
      tools.jackson.databind.json.JsonMapper.builder().build();

  /**
   * Whether a token's stored metadata marks it invalidated (revoked), as Spring Authorization
   * Server records it; metadata that cannot be read counts as invalidated.
   */
  static boolean invalidated(String metadata) {
    if (metadata == null) {
      return false;
    }
    try {
      return METADATA
          .readTree(metadata)
          .path(OAuth2Authorization.Token.INVALIDATED_METADATA_NAME)
          .asBoolean(false);
    } catch (RuntimeException unreadable) {
      return true;
    }
  }

  @Bean
  @Order(2)
  SecurityFilterChain bearerTokenSecurity(HttpSecurity http, JwtDecoder decoder) throws Exception {
    AuthenticationEntryPoint entryPoint = bearerEntryPoint();
    // The protected-resource metadata (RFC 9728) that 401 answers point to is served here too.
    http.securityMatcher("/fhir/**", "/api/**", "/.well-known/oauth-protected-resource/**")
        .authorizeHttpRequests(
            a ->
                // The FHIR CapabilityStatement says how to get a token, so it needs none itself.
                a.requestMatchers(org.springframework.http.HttpMethod.GET, "/fhir/metadata")
                    .permitAll()
                    .anyRequest()
                    .authenticated())
        .oauth2ResourceServer(
            rs ->
                rs.jwt(j -> j.decoder(decoder))
                    .bearerTokenResolver(new BearerTokens())
                    .authenticationEntryPoint(entryPoint)
                    .accessDeniedHandler(bearerAccessDenied()))
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .csrf(c -> c.disable())
        .exceptionHandling(e -> e.authenticationEntryPoint(entryPoint));
    return http.build();
  }

  @Bean
  @Order(3)
  SecurityFilterChain smartConfigurationSecurity(HttpSecurity http) throws Exception {
    http.securityMatcher("/.well-known/smart-configuration")
        .authorizeHttpRequests(a -> a.anyRequest().permitAll())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .csrf(c -> c.disable());
    return http.build();
  }

  /**
   * 401 with {@code WWW-Authenticate: Bearer …} (RFC 6750), and a body a client can read: an
   * OperationOutcome on {@code /fhir}, a problem document elsewhere.
   */
  private static AuthenticationEntryPoint bearerEntryPoint() {
    BearerTokenAuthenticationEntryPoint header = new BearerTokenAuthenticationEntryPoint();
    return (request, response, exception) -> {
      header.commence(request, response, exception);
      String detail = detailOf(exception);
      if (isFhir(request)) {
        ApiErrors.operationOutcome(response, 401, "login", detail);
      } else {
        ApiErrors.problem(response, 401, "Unauthorized", detail);
      }
    };
  }

  private static org.springframework.security.web.access.AccessDeniedHandler bearerAccessDenied() {
    BearerTokenAccessDeniedHandler header = new BearerTokenAccessDeniedHandler();
    return (request, response, exception) -> {
      header.handle(request, response, exception);
      if (isFhir(request)) {
        ApiErrors.operationOutcome(response, 403, "forbidden", "The token does not allow this.");
      } else {
        ApiErrors.problem(response, 403, "Forbidden", "The token does not allow this.");
      }
    };
  }

  private static String detailOf(AuthenticationException exception) {
    if (exception instanceof OAuth2AuthenticationException oauth
        && oauth.getError().getDescription() != null
        && oauth.getError().getErrorCode().equals("invalid_token")) {
      return "The bearer token is not valid: it is malformed, expired, revoked or not ours.";
    }
    return "A bearer token is required (Authorization: Bearer …).";
  }

  private static boolean isFhir(HttpServletRequest request) {
    String path = request.getRequestURI().substring(request.getContextPath().length());
    return path.equals("/fhir") || path.startsWith("/fhir/");
  }

  /** Writes error bodies without a framework in the way (filters answer before MVC). */
  static final class ApiErrors {
    private ApiErrors() {}

    static void problem(HttpServletResponse response, int status, String title, String detail)
        throws IOException {
      response.setStatus(status);
      response.setContentType("application/problem+json");
      response.setCharacterEncoding("UTF-8");
      response
          .getWriter()
          .write(
              "{\"type\":\"about:blank\",\"title\":"
                  + quote(title)
                  + ",\"status\":"
                  + status
                  + ",\"detail\":"
                  + quote(detail)
                  + "}");
    }

    static void operationOutcome(HttpServletResponse response, int status, String code, String text)
        throws IOException {
      response.setStatus(status);
      response.setContentType("application/fhir+json");
      response.setCharacterEncoding("UTF-8");
      response
          .getWriter()
          .write(
              "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":"
                  + quote(code)
                  + ",\"diagnostics\":"
                  + quote(text)
                  + "}]}");
    }

    private static String quote(String text) {
      StringBuilder s = new StringBuilder("\"");
      for (char c : text.toCharArray()) {
        switch (c) {
          case '"' -> s.append("\\\"");
          case '\\' -> s.append("\\\\");
          default -> {
            if (c < 0x20) {
              s.append(String.format("\\u%04x", (int) c));
            } else {
              s.append(c);
            }
          }
        }
      }
      return s.append('"').toString();
    }
  }
}
