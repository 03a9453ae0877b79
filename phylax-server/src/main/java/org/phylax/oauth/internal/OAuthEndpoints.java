package org.phylax.oauth.internal;

import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * {@code /.well-known/smart-configuration}, so that SMART apps and backend services find the token
 * endpoints; and {@code /api/me}, which tells the bearer of a token what it stands for.
 */
@RestController
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class OAuthEndpoints {

  @GetMapping(
      value = "/.well-known/smart-configuration",
      produces = MediaType.APPLICATION_JSON_VALUE)
  Map<String, Object> smartConfiguration(HttpServletRequest request) {
    String base = ServletUriComponentsBuilder.fromContextPath(request).build().toUriString();
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("issuer", base);
    c.put("jwks_uri", base + "/oauth2/jwks");
    c.put("authorization_endpoint", base + "/oauth2/authorize");
    c.put("token_endpoint", base + "/oauth2/token");
    c.put(
        "token_endpoint_auth_methods_supported",
        List.of("client_secret_basic", "client_secret_post"));
    c.put(
        "grant_types_supported",
        List.of("authorization_code", "refresh_token", "client_credentials"));
    c.put("response_types_supported", List.of("code"));
    c.put("code_challenge_methods_supported", List.of("S256"));
    c.put("introspection_endpoint", base + "/oauth2/introspect");
    c.put("revocation_endpoint", base + "/oauth2/revoke");
    c.put(
        "scopes_supported",
        List.of(
            "patient/*.read",
            "patient/*.rs",
            "user/*.read",
            "user/*.cruds",
            "system/*.read",
            "system/*.cruds",
            "offline_access"));
    c.put(
        "capabilities",
        List.of(
            "launch-standalone",
            "client-public",
            "client-confidential-symmetric",
            "permission-offline",
            "permission-patient",
            "permission-user",
            "permission-v1",
            "permission-v2"));
    return c;
  }

  @GetMapping(value = "/api/me", produces = MediaType.APPLICATION_JSON_VALUE)
  Map<String, Object> me(@AuthenticationPrincipal Jwt token) {
    Map<String, Object> me = new LinkedHashMap<>();
    me.put("subject", token.getSubject());
    me.put("client_id", token.getClaimAsString("client_id"));
    me.put(
        "scopes",
        new TreeSet<>(
            token.getClaimAsStringList("scope") == null
                ? List.of()
                : token.getClaimAsStringList("scope")));
    me.put("expires_at", String.valueOf(token.getExpiresAt()));
    return me;
  }
}
