package org.phylax.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.identity.internal.TotpCodes;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

/**
 * The web session over real HTTP: cookie attributes, a new session id at each sign-in step, CSRF, a
 * disabled account's session ended within the re-check interval (1 s here), and the audit rows of
 * sign-in successes and failures with IP address and user agent.
 */
class WebSessionHttpIntegrationTests {

  @TempDir static Path dir;
  static WebTestServer server;

  @BeforeAll
  static void start() {
    server = WebTestServer.start(dir, Map.of("phylax.web.account-recheck", "1s"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static FormClient client(String agent) {
    return new FormClient(server.baseUrl(), agent);
  }

  @Test
  void sessionCookieWhenIssuedThenHttpOnlyAndSameSiteStrictAndSecureOnlyBehindTls()
      throws Exception {
    String plain = FormClient.sessionCookieHeader(client("cookie-test/1").get("/login"));
    assertThat(plain)
        .isNotNull()
        .contains("HttpOnly")
        .contains("SameSite=Strict")
        .contains("Path=/");
    assertThat(plain).doesNotContain("Secure").doesNotContain("Max-Age").doesNotContain("Expires");

    String behindTls =
        FormClient.sessionCookieHeader(
            client("cookie-test/1").get("/login", "X-Forwarded-Proto", "https"));
    assertThat(behindTls).contains("Secure").contains("HttpOnly").contains("SameSite=Strict");
  }

  @Test
  void signInWhenEachStepSucceedsThenTheSessionIdChangesAndTheOldOnesAreDead() throws Exception {
    WebTestServer.User nurse = server.nurse();
    FormClient browser = client("session-id-test/1");
    browser.get("/login");
    String anonymous = browser.session();
    browser.post(
        "/login", Map.of("username", nurse.username(), "password", WebTestServer.PASSWORD));
    String afterPassword = browser.session();
    browser.get("/login/mfa");
    HttpResponse<String> done =
        browser.post("/login/mfa", Map.of("code", TotpCodes.next(nurse.totpSecret())));
    String signedIn = browser.session();

    assertThat(done.statusCode()).isEqualTo(302);
    assertThat(List.of(anonymous, afterPassword, signedIn))
        .doesNotContainNull()
        .doesNotHaveDuplicates();
    assertThat(browser.get("/").statusCode()).isEqualTo(200);
    assertThat(browser.last().body()).contains(nurse.account().displayName().orElseThrow());

    for (String old : List.of(anonymous, afterPassword)) {
      FormClient thief = client("session-id-test/1");
      thief.session(old);
      HttpResponse<String> refused = thief.get("/");
      assertThat(refused.statusCode()).isEqualTo(302);
      assertThat(refused.headers().firstValue("Location").orElseThrow()).contains("/login");
    }
  }

  @Test
  void postWhenCsrfTokenMissingThenRefused403AndNothingHappens() throws Exception {
    WebTestServer.User patient = server.patient();
    FormClient browser = client("csrf-test/1");
    browser.get("/login");
    HttpResponse<String> login =
        browser.postWithoutCsrf(
            "/login", Map.of("username", patient.username(), "password", WebTestServer.PASSWORD));
    assertThat(login.statusCode()).isEqualTo(403);
    assertThat(server.auditOf(patient.account())).isEmpty(); // the password was never checked

    browser.signIn(patient, null);
    assertThat(browser.postWithoutCsrf("/logout", Map.of()).statusCode()).isEqualTo(403);
    assertThat(browser.get("/").statusCode()).isEqualTo(200); // still signed in
  }

  @Test
  void disabledAccountWhenItHasASessionThenTheSessionEndsWithinTheRecheckInterval()
      throws Exception {
    WebTestServer.User nurse = server.nurse();
    FormClient browser = client("disable-test/1");
    browser.signIn(nurse, TotpCodes.next(nurse.totpSecret()));
    assertThat(browser.get("/").statusCode()).isEqualTo(200);

    server.accounts().disable(nurse.username(), "left the clinic", WebTestServer.ADMIN);
    Thread.sleep(1_500); // the re-check interval is 1 s here (30 s by default)

    HttpResponse<String> ended = browser.get("/");
    assertThat(ended.statusCode()).isEqualTo(302);
    assertThat(ended.headers().firstValue("Location").orElseThrow()).endsWith("/login?expired");
    assertThat(server.sessionsOf(nurse.account())).isZero();
    assertThat(server.auditOf(nurse.account()))
        .anySatisfy(
            row -> {
              assertThat(row.get("action")).isEqualTo("LOGOUT");
              assertThat(row.get("outcome_reason")).isEqualTo("session ended: account disabled");
              assertThat(row.get("source_ip")).isEqualTo("127.0.0.1");
              assertThat(row.get("user_agent")).isEqualTo("disable-test/1");
            });
  }

  @Test
  void signInWhenAttemptsSucceedOrFailThenEachIsAuditedWithIpAndUserAgent() throws Exception {
    WebTestServer.User nurse = server.nurse();
    FormClient browser = client("audit-test/7.1");

    browser.get("/login");
    HttpResponse<String> wrong =
        browser.post(
            "/login", Map.of("username", nurse.username(), "password", "not-the-password"));
    HttpResponse<String> unknown =
        browser.post("/login", Map.of("username", "nobody-" + nurse.username(), "password", "x"));
    assertThat(errorOf(wrong)).isEqualTo(LoginController.BAD_CREDENTIALS);
    assertThat(errorOf(unknown)).isEqualTo(errorOf(wrong));

    browser.post(
        "/login", Map.of("username", nurse.username(), "password", WebTestServer.PASSWORD));
    browser.get("/login/mfa");
    browser.post("/login/mfa", Map.of("code", TotpCodes.wrong(nurse.totpSecret())));
    browser.post("/login/mfa", Map.of("code", TotpCodes.next(nurse.totpSecret())));
    browser.get("/");
    browser.post("/logout", Map.of());
    assertThat(browser.last().headers().firstValue("Location").orElseThrow())
        .endsWith("/login?signed-out");

    List<Map<String, Object>> rows =
        server.auditOf(nurse.account()).stream()
            .filter(r -> !"web-tests".equals(r.get("actor_user"))) // the test's own enrollment
            .toList();
    assertThat(rows)
        .extracting(r -> r.get("action") + " " + r.get("outcome") + " " + r.get("outcome_reason"))
        .containsSubsequence(
            "LOGIN_FAILED FAILURE wrong password",
            "MFA FAILURE wrong totp",
            "MFA SUCCESS totp",
            "LOGIN SUCCESS password and totp",
            "LOGOUT SUCCESS signed out");
    assertThat(rows)
        .allSatisfy(
            row -> {
              assertThat(row.get("source_ip")).isEqualTo("127.0.0.1");
              assertThat(row.get("user_agent")).isEqualTo("audit-test/7.1");
              assertThat(row.get("actor_user")).isEqualTo(nurse.account().id().toString());
            });
    assertThat(
            server
                .jdbc()
                .queryForObject(
                    "select count(*) from audit_event where action = 'LOGIN_FAILED'"
                        + " and outcome_reason = 'unknown username' and actor_user is null"
                        + " and source_ip = '127.0.0.1' and user_agent = 'audit-test/7.1'",
                    Long.class))
        .isEqualTo(1);
  }

  @Test
  void signInWhenTheAccountIsDisabledThenAGenericMessageToContactTheAdministrator()
      throws Exception {
    WebTestServer.User patient = server.patient();
    server.accounts().disable(patient.username(), "moved away", WebTestServer.ADMIN);
    FormClient browser = client("disabled-test/1");
    browser.get("/login");
    HttpResponse<String> refused =
        browser.post(
            "/login", Map.of("username", patient.username(), "password", WebTestServer.PASSWORD));
    assertThat(refused.statusCode()).isEqualTo(200);
    assertThat(errorOf(refused)).isEqualTo(LoginController.DISABLED);
    assertThat(browser.get("/").statusCode()).isEqualTo(302);
  }

  @Test
  void pagesWhenAnonymousThenTheBrowserGoesToSignInAndApiClientsGetProblems() throws Exception {
    FormClient anonymous = client("anonymous-test/1");
    HttpResponse<String> home = anonymous.get("/");
    assertThat(home.statusCode()).isEqualTo(302);
    assertThat(home.headers().firstValue("Location").orElseThrow()).endsWith("/login");
  }

  @Test
  void authorizeWhenABrowserIsNotSignedInThenItSignsInOnThePagesAndTheServerSeesTheSession()
      throws Exception {
    RegisteredClient app =
        RegisteredClient.withId(UUID.randomUUID().toString())
            .clientId("web-test-app-" + UUID.randomUUID())
            .clientSecret("sha256:" + "0".repeat(64))
            .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
            .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
            .redirectUri("http://127.0.0.1:9/callback")
            .scope("launch")
            .build();
    server.bean(RegisteredClientRepository.class).save(app);
    String authorize =
        "/oauth2/authorize?response_type=code&client_id="
            + app.getClientId()
            + "&redirect_uri=http://127.0.0.1:9/callback&scope=launch&state=s1"
            + "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256";

    FormClient api = client("api-client/1");
    HttpResponse<String> problem = api.get(authorize, "Accept", "application/json");
    assertThat(problem.statusCode()).isEqualTo(401);
    assertThat(problem.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/problem+json");
    assertThat(api.session()).isNull(); // no session kept for a client that is not a browser

    FormClient browser = client("authorize-test/1");
    HttpResponse<String> toSignIn = browser.get(authorize, "Accept", "text/html");
    assertThat(toSignIn.statusCode()).isEqualTo(302);
    assertThat(toSignIn.headers().firstValue("Location").orElseThrow()).endsWith("/login");

    HttpResponse<String> back = browser.signIn(server.patient(), null);
    String target = back.headers().firstValue("Location").orElseThrow();
    assertThat(target).contains("/oauth2/authorize?").contains("client_id=" + app.getClientId());
    // The authorization server sees the web session: it answers the app, not the sign-in page.
    HttpResponse<String> answered =
        browser.get(target.substring(target.indexOf("/oauth2/")), "Accept", "text/html");
    assertThat(answered.statusCode()).isEqualTo(302);
    assertThat(answered.headers().firstValue("Location").orElseThrow())
        .startsWith("http://127.0.0.1:9/callback?code=")
        .endsWith("&state=s1");
  }

  private static String errorOf(HttpResponse<String> page) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("id=\"error\">([^<]*)<").matcher(page.body());
    return m.find() ? m.group(1) : null;
  }
}
