package org.phylax.oauth.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.identity.Account;
import org.phylax.identity.Accounts;
import org.phylax.identity.Actor;
import org.phylax.identity.ClientInfo;
import org.phylax.identity.NewAccount;
import org.phylax.identity.Role;
import org.phylax.identity.SignIn;
import org.phylax.identity.SignInResult;
import org.phylax.identity.internal.TotpCodes;
import org.phylax.oauth.OAuthClients;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.TestServers;

/**
 * The authorization_code flow with PKCE end to end over real HTTP: the app sends the browser to
 * /oauth2/authorize, the user signs in at /login with password and TOTP, the app trades the code
 * and its verifier for a user token; refresh tokens rotate and an old one is refused.
 */
class AuthorizationCodeIntegrationTests {

  @TempDir static Path dir;
  static PhylaxServer server;
  static JdbcOAuthClients clients;
  static Accounts accounts;
  static SignIn signIn;
  static final String PASSWORD = "saffron-glacier-ladder-83";
  static final String REDIRECT = "http://127.0.0.1:9/callback";

  @BeforeAll
  static void start() {
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    server = TestServers.dev(dir);
    clients = server.context().getBean(JdbcOAuthClients.class);
    accounts = server.context().getBean(Accounts.class);
    signIn = server.context().getBean(SignIn.class);
  }

  @AfterAll
  static void stop() {
    server.close();
    System.clearProperty("phylax.audit.checkpoint-poll");
  }

  /** A nurse with TOTP enrolled; returns the base32 secret. */
  private static String enrolledNurse(String username) {
    accounts.create(
        NewAccount.builder(username)
            .role(Role.NURSE)
            .practitioner(UUID.randomUUID())
            .password(PASSWORD)
            .build(),
        Actor.operator("tester"));
    ClientInfo client = new ClientInfo("127.0.0.1", "test", null);
    SignInResult first = signIn.checkPassword(username, PASSWORD, client);
    String challenge = first.challenge().orElseThrow();
    String secret = signIn.beginEnrollment(challenge).secret();
    SignInResult done =
        signIn.confirmEnrollment(challenge, TotpCodes.at(secret, java.time.Instant.now()), client);
    assertThat(done.outcome()).isEqualTo(SignInResult.Outcome.SIGNED_IN);
    return secret;
  }

  /** A browser of sorts: keeps cookies, follows no redirects. */
  private static final class Browser {
    final HttpClient http =
        HttpClient.newBuilder()
            .cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    HttpResponse<String> get(String pathOrUri) throws Exception {
      return http.send(
          HttpRequest.newBuilder(server.baseUri().resolve(pathOrUri))
              .header("Accept", "text/html")
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, Map<String, String> form, String basic)
        throws Exception {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(server.baseUri().resolve(path))
              .header("Content-Type", "application/x-www-form-urlencoded")
              .header("Accept", "text/html")
              .POST(HttpRequest.BodyPublishers.ofString(formBody(form)));
      if (basic != null) {
        b.header("Authorization", "Basic " + basic);
      }
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Submits the form at {@code path} with its CSRF token. */
    HttpResponse<String> submit(String path, Map<String, String> fields) throws Exception {
      HttpResponse<String> page = get(path);
      assertThat(page.statusCode()).as(path).isEqualTo(200);
      Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(page.body());
      assertThat(csrf.find()).as("CSRF field on " + path).isTrue();
      Map<String, String> all = new LinkedHashMap<>(fields);
      all.put("_csrf", csrf.group(1));
      return post(path, all, null);
    }
  }

  private static String formBody(Map<String, String> form) {
    StringBuilder body = new StringBuilder();
    form.forEach(
        (k, v) ->
            body.append(body.isEmpty() ? "" : "&")
                .append(k)
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return body.toString();
  }

  private static String location(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(302);
    return response.headers().firstValue("Location").orElseThrow();
  }

  private static String s256(String verifier) throws Exception {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(
            MessageDigest.getInstance("SHA-256")
                .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
  }

  private static String newVerifier() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Runs the browser leg and returns the authorization code. */
  private static String authorize(
      Browser browser,
      String clientId,
      String scope,
      String verifier,
      String username,
      String secret)
      throws Exception {
    String authorize =
        "/oauth2/authorize?response_type=code&client_id="
            + clientId
            + "&redirect_uri="
            + URLEncoder.encode(REDIRECT, StandardCharsets.UTF_8)
            + "&scope="
            + URLEncoder.encode(scope, StandardCharsets.UTF_8)
            + "&state=st-42&code_challenge="
            + s256(verifier)
            + "&code_challenge_method=S256";
    String redirect = location(browser.get(authorize));
    if (URI.create(redirect).getPath().equals("/login")) {
      // Not signed in yet: password, then TOTP, then back to /oauth2/authorize.
      assertThat(
              URI.create(
                      location(
                          browser.submit(
                              "/login", Map.of("username", username, "password", PASSWORD))))
                  .getPath())
          .isEqualTo("/login/mfa");
      String back = location(browser.submit("/login/mfa", Map.of("code", TotpCodes.next(secret))));
      redirect = location(browser.get(back));
    }
    assertThat(redirect).startsWith(REDIRECT + "?code=").contains("state=st-42");
    Matcher code = Pattern.compile("[?&]code=([^&]+)").matcher(redirect);
    assertThat(code.find()).isTrue();
    return java.net.URLDecoder.decode(code.group(1), StandardCharsets.UTF_8);
  }

  private static JsonObject json(HttpResponse<String> response) {
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }

  @Test
  void publicAppWithPkceThenTheUserSignsInAndTheAppGetsTheirToken() throws Exception {
    String username = "pkce-" + UUID.randomUUID().toString().substring(0, 8);
    String secret = enrolledNurse(username);
    OAuthClients.Registered app =
        clients.addApp("Ward app", Set.of(REDIRECT), Set.of("user/*.cruds"), false, "tester");
    Browser browser = new Browser();
    String verifier = newVerifier();

    String code = authorize(browser, app.clientId(), "user/*.cruds", verifier, username, secret);

    Map<String, String> exchange =
        Map.of(
            "grant_type",
            "authorization_code",
            "code",
            code,
            "redirect_uri",
            REDIRECT,
            "client_id",
            app.clientId(),
            "code_verifier",
            "the-wrong-verifier-000000000000000000000000000");
    HttpResponse<String> wrongVerifier = browser.post("/oauth2/token", exchange, null);
    // For a public client the verifier is its authentication: a wrong one is invalid_client.
    assertThat(wrongVerifier.statusCode()).isIn(400, 401);
    assertThat(wrongVerifier.body()).doesNotContain("access_token");

    // Start over with a fresh code, as an app would.
    code = authorize(browser, app.clientId(), "user/*.cruds", verifier, username, secret);
    Map<String, String> right = new LinkedHashMap<>(exchange);
    right.put("code", code);
    right.put("code_verifier", verifier);
    HttpResponse<String> token = browser.post("/oauth2/token", right, null);
    assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
    assertThat(json(token).has("refresh_token")).as("public apps get none").isFalse();
    String jwt = json(token).get("access_token").getAsString();
    JsonObject claims =
        JsonParser.parseString(
                new String(
                    Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8))
            .getAsJsonObject();
    Account nurse = accounts.find(username).orElseThrow();
    assertThat(claims.get("sub").getAsString()).isEqualTo(nurse.id().toString());
    assertThat(claims.getAsJsonArray("roles").get(0).getAsString()).isEqualTo("nurse");

    HttpResponse<String> me =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(server.baseUri().resolve("/api/me"))
                    .header("Authorization", "Bearer " + jwt)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(me.statusCode()).isEqualTo(200);

    // The code is single use.
    assertThat(browser.post("/oauth2/token", right, null).statusCode()).isEqualTo(400);
  }

  @Test
  void confidentialAppThenRefreshTokensRotateAndAnOldOneIsRefused() throws Exception {
    String username = "rot-" + UUID.randomUUID().toString().substring(0, 8);
    String secret = enrolledNurse(username);
    OAuthClients.Registered app =
        clients.addApp(
            "Charting", Set.of(REDIRECT), Set.of("user/*.cruds", "offline_access"), true, "t");
    String basic =
        Base64.getEncoder()
            .encodeToString(
                (app.clientId() + ":" + app.clientSecret()).getBytes(StandardCharsets.UTF_8));
    Browser browser = new Browser();
    String verifier = newVerifier();
    String code =
        authorize(
            browser, app.clientId(), "user/*.cruds offline_access", verifier, username, secret);

    HttpResponse<String> first =
        browser.post(
            "/oauth2/token",
            Map.of(
                "grant_type", "authorization_code",
                "code", code,
                "redirect_uri", REDIRECT,
                "code_verifier", verifier),
            basic);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    String refresh1 = json(first).get("refresh_token").getAsString();

    HttpResponse<String> second =
        browser.post(
            "/oauth2/token",
            Map.of("grant_type", "refresh_token", "refresh_token", refresh1),
            basic);
    assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
    String refresh2 = json(second).get("refresh_token").getAsString();
    assertThat(refresh2).isNotEqualTo(refresh1);

    HttpResponse<String> replay =
        browser.post(
            "/oauth2/token",
            Map.of("grant_type", "refresh_token", "refresh_token", refresh1),
            basic);
    assertThat(replay.statusCode()).isEqualTo(400);
    assertThat(json(replay).get("error").getAsString()).isEqualTo("invalid_grant");

    // A disabled account gets no new token from its refresh token.
    accounts.disable(username, "left", Actor.operator("tester"));
    HttpResponse<String> afterDisable =
        browser.post(
            "/oauth2/token",
            Map.of("grant_type", "refresh_token", "refresh_token", refresh2),
            basic);
    assertThat(afterDisable.statusCode()).isEqualTo(400);
  }
}
