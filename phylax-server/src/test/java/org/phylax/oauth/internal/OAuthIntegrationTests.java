package org.phylax.oauth.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.oauth.OAuthClients;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.TestServers;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The token endpoints and the bearer guard over real HTTP, on a real PostgreSQL:
 * client_credentials, ES256 JWTs, refusal of missing, forged, expired and revoked tokens, and the
 * audit trail.
 */
class OAuthIntegrationTests {

  @TempDir static Path dir;
  static PhylaxServer server;
  static JdbcTemplate jdbc;
  static JdbcOAuthClients clients;
  static OAuthClients.Registered reader;
  static final HttpClient http = HttpClient.newHttpClient();
  static final String AGENT = "synthetic-integrator/3.1";

  @BeforeAll
  static void start() {
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    server = TestServers.dev(dir);
    jdbc = server.context().getBean(JdbcTemplate.class);
    clients = server.context().getBean(JdbcOAuthClients.class);
    reader = clients.addService("Lab results feed", Set.of("system/*.read"), "os:tester");
  }

  @AfterAll
  static void stop() {
    server.close();
    System.clearProperty("phylax.audit.checkpoint-poll");
  }

  private static HttpResponse<String> post(String path, String basic, Map<String, String> form)
      throws Exception {
    StringBuilder body = new StringBuilder();
    form.forEach(
        (k, v) ->
            body.append(body.isEmpty() ? "" : "&")
                .append(k)
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    HttpRequest.Builder request =
        HttpRequest.newBuilder(server.baseUri().resolve(path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("User-Agent", AGENT)
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    if (basic != null) {
      request.header("Authorization", "Basic " + basic);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String id, String secret) {
    return Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
  }

  private static HttpResponse<String> get(String path, String bearer) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(server.baseUri().resolve(path)).header("User-Agent", AGENT);
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject json(HttpResponse<String> response) {
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }

  private static String token(OAuthClients.Registered client, String scope) throws Exception {
    HttpResponse<String> response =
        post(
            "/oauth2/token",
            basic(client.clientId(), client.clientSecret()),
            Map.of("grant_type", "client_credentials", "scope", scope));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return json(response).get("access_token").getAsString();
  }

  private static long audited(String action, String clientId) {
    return jdbc.queryForObject(
        "select count(*) from audit_event where action = ? and client_id = ? and user_agent = ?"
            + " and source_ip = '127.0.0.1'",
        Long.class,
        action,
        clientId,
        AGENT);
  }

  @Test
  void clientCredentialsThenAShortLivedEs256JwtThatOpensTheApiAndIsAudited() throws Exception {
    long issuedBefore = audited("LOGIN", reader.clientId());
    HttpResponse<String> response =
        post(
            "/oauth2/token",
            basic(reader.clientId(), reader.clientSecret()),
            Map.of("grant_type", "client_credentials", "scope", "system/*.read"));

    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject body = json(response);
    assertThat(body.get("token_type").getAsString()).isEqualTo("Bearer");
    assertThat(body.get("expires_in").getAsLong()).isBetween(890L, 900L);
    String jwt = body.get("access_token").getAsString();
    JsonObject header =
        JsonParser.parseString(
                new String(
                    Base64.getUrlDecoder().decode(jwt.split("\\.")[0]), StandardCharsets.UTF_8))
            .getAsJsonObject();
    assertThat(header.get("alg").getAsString()).isEqualTo("ES256");
    JsonObject jwks =
        json(get("/oauth2/jwks", null)).getAsJsonArray("keys").get(0).getAsJsonObject();
    assertThat(jwks.get("kid").getAsString()).isEqualTo(header.get("kid").getAsString());
    assertThat(jwks.has("d")).as("no private part published").isFalse();

    HttpResponse<String> me = get("/api/me", jwt);
    assertThat(me.statusCode()).isEqualTo(200);
    assertThat(json(me).get("client_id").getAsString()).isEqualTo(reader.clientId());
    assertThat(json(me).getAsJsonArray("scopes").get(0).getAsString()).isEqualTo("system/*.read");
    assertThat(audited("LOGIN", reader.clientId())).isEqualTo(issuedBefore + 1);
  }

  @Test
  void noTokenThen401WithWwwAuthenticateAndAProblemOrAnOperationOutcome() throws Exception {
    HttpResponse<String> api = get("/api/me", null);
    assertThat(api.statusCode()).isEqualTo(401);
    String challenge = api.headers().firstValue("WWW-Authenticate").orElseThrow();
    assertThat(challenge).startsWith("Bearer");
    assertThat(api.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/problem+json");
    // The challenge names the resource metadata (RFC 9728), which answers without a token.
    String metadata = challenge.replaceAll(".*resource_metadata=\"([^\"]+)\".*", "$1");
    HttpResponse<String> resource = get(URI.create(metadata).getPath(), null);
    assertThat(resource.statusCode()).as(metadata).isEqualTo(200);
    assertThat(json(resource).has("resource")).isTrue();
    assertThat(json(api).get("status").getAsInt()).isEqualTo(401);

    HttpResponse<String> fhir = get("/fhir/Patient", null);
    assertThat(fhir.statusCode()).isEqualTo(401);
    assertThat(fhir.headers().firstValue("WWW-Authenticate").orElseThrow()).startsWith("Bearer");
    assertThat(fhir.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/fhir+json");
    assertThat(json(fhir).get("resourceType").getAsString()).isEqualTo("OperationOutcome");
    assertThat(
            json(fhir).getAsJsonArray("issue").get(0).getAsJsonObject().get("code").getAsString())
        .isEqualTo("login");
  }

  @Test
  void forgedOrGarbledTokenThen401InvalidToken() throws Exception {
    String jwt = token(reader, "system/*.read");
    String[] parts = jwt.split("\\.");
    // Claim more: same signature over other claims.
    String forgedClaims =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                    .replace("system/*.read", "system/*.write")
                    .getBytes(StandardCharsets.UTF_8));
    for (String bad : new String[] {parts[0] + "." + forgedClaims + "." + parts[2], "garbage"}) {
      HttpResponse<String> response = get("/api/me", bad);
      assertThat(response.statusCode()).isEqualTo(401);
      assertThat(response.headers().firstValue("WWW-Authenticate").orElseThrow())
          .contains("error=\"invalid_token\"");
      assertThat(response.body()).doesNotContain("Exception");
    }
  }

  @Test
  void wrongSecretOrUnknownClientThenInvalidClientAndAuditedWithIpAndAgent() throws Exception {
    long before = audited("LOGIN_FAILED", reader.clientId());
    HttpResponse<String> response =
        post(
            "/oauth2/token",
            basic(reader.clientId(), "not-the-secret"),
            Map.of("grant_type", "client_credentials"));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(json(response).get("error").getAsString()).isEqualTo("invalid_client");
    assertThat(audited("LOGIN_FAILED", reader.clientId())).isEqualTo(before + 1);
  }

  @Test
  void scopeBeyondTheClientsThenRefused() throws Exception {
    HttpResponse<String> response =
        post(
            "/oauth2/token",
            basic(reader.clientId(), reader.clientSecret()),
            Map.of("grant_type", "client_credentials", "scope", "system/*.write"));
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).get("error").getAsString()).isEqualTo("invalid_scope");
  }

  @Test
  void introspectThenActiveAndAfterRevocationInactiveAndRefused() throws Exception {
    String jwt = token(reader, "system/*.read");
    String auth = basic(reader.clientId(), reader.clientSecret());
    assertThat(
            json(post("/oauth2/introspect", auth, Map.of("token", jwt)))
                .get("active")
                .getAsBoolean())
        .isTrue();
    assertThat(get("/api/me", jwt).statusCode()).isEqualTo(200);

    assertThat(post("/oauth2/revoke", auth, Map.of("token", jwt)).statusCode()).isEqualTo(200);

    assertThat(
            json(post("/oauth2/introspect", auth, Map.of("token", jwt)))
                .get("active")
                .getAsBoolean())
        .isFalse();
    assertThat(get("/api/me", jwt).statusCode()).isEqualTo(401);
  }

  @Test
  void expiredTokenThenRefused() throws Exception {
    OAuthClients.Registered brief =
        clients.addService(
            "Brief", Set.of("system/Patient.rs"), Duration.ofSeconds(5), "os:tester");
    String jwt = token(brief, "system/Patient.rs");
    assertThat(get("/api/me", jwt).statusCode()).isEqualTo(200);

    // Lifetime 5 s plus 5 s of allowed clock skew, and a margin.
    Thread.sleep(11_500);

    HttpResponse<String> response = get("/api/me", jwt);
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("invalid_token");
  }

  @Test
  void smartConfigurationIsOpenAndNamesTheEndpoints() throws Exception {
    HttpResponse<String> response = get("/.well-known/smart-configuration", null);
    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject c = json(response);
    assertThat(c.get("token_endpoint").getAsString())
        .isEqualTo(server.baseUri().resolve("/oauth2/token").toString());
    assertThat(c.getAsJsonArray("grant_types_supported").toString()).contains("client_credentials");
    assertThat(get(URI.create(c.get("jwks_uri").getAsString()).getPath(), null).statusCode())
        .isEqualTo(200);
  }

  @Test
  void signingKeyAndClientSecretAreNotStoredInClear() {
    String secretColumn =
        jdbc.queryForObject(
            "select client_secret from oauth2_registered_client where client_id = ?",
            String.class,
            reader.clientId());
    assertThat(secretColumn).startsWith("sha256:").doesNotContain(reader.clientSecret());
    byte[] sealed = jdbc.queryForObject("select private_key from oauth_signing_key", byte[].class);
    assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("\"d\"");
  }

  @Test
  void addAppThenPkceIsRequiredAndOnlyConfidentialAppsGetRefreshTokens() {
    OAuthClients.Registered web =
        clients.addApp(
            "Bedside charting",
            Set.of("https://chart.example.org/callback"),
            Set.of("user/*.cruds", "offline_access"),
            true,
            "os:tester");
    OAuthClients.Registered spa =
        clients.addApp(
            "Patient portal SPA",
            Set.of("http://127.0.0.1:8765/cb"),
            Set.of("patient/*.read"),
            false,
            "os:tester");
    var repository =
        server
            .context()
            .getBean(
                org.springframework.security.oauth2.server.authorization.client
                    .RegisteredClientRepository.class);

    var confidential = repository.findByClientId(web.clientId());
    var open = repository.findByClientId(spa.clientId());
    assertThat(web.clientSecret()).isNotNull();
    assertThat(spa.clientSecret()).isNull();
    assertThat(confidential.getClientSettings().isRequireProofKey()).isTrue();
    assertThat(open.getClientSettings().isRequireProofKey()).isTrue();
    assertThat(confidential.getAuthorizationGrantTypes())
        .extracting(g -> g.getValue())
        .containsExactlyInAnyOrder("authorization_code", "refresh_token");
    assertThat(open.getAuthorizationGrantTypes())
        .extracting(g -> g.getValue())
        .containsExactly("authorization_code");
    assertThat(confidential.getTokenSettings().isReuseRefreshTokens()).isFalse();
    assertThat(confidential.getTokenSettings().getAccessTokenTimeToLive())
        .isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void addAppWhenRedirectOrScopeUnfitThenRefusedNamingIt() {
    Set<String> ok = Set.of("https://app.example.org/cb");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                clients.addApp(
                    "A", Set.of("http://app.example.org/cb"), Set.of("patient/*.read"), true, "t"))
        .hasMessageContaining("redirect URI 'http://app.example.org/cb' must be https");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                clients.addApp(
                    "A",
                    Set.of("https://app.example.org/cb#x"),
                    Set.of("patient/*.read"),
                    true,
                    "t"))
        .hasMessageContaining("without a fragment");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> clients.addApp("A", ok, Set.of("system/*.read"), true, "t"))
        .hasMessageContaining("scope 'system/*.read' is not a patient/ or user/ scope");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> clients.addApp("A", ok, Set.of("patient/*.fly"), true, "t"))
        .hasMessageContaining("scope 'patient/*.fly'");
  }
}
