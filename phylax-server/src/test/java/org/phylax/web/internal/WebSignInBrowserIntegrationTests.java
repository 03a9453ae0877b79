package org.phylax.web.internal;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.Cookie;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.identity.internal.TotpCodes;

/**
 * The sign-in pages in a real browser (Debian's chromium through Playwright) against a real server:
 * password and TOTP, a wrong code, lockout and unlock, sign-out, and enrollment at the first
 * sign-in.
 */
class WebSignInBrowserIntegrationTests {

  @TempDir static Path dir;
  static WebTestServer server;
  static Chromium chromium;

  BrowserContext context;
  Page page;

  @BeforeAll
  static void start() {
    server = WebTestServer.start(dir, Map.of());
    chromium = Chromium.launch();
  }

  @AfterAll
  static void stop() {
    try {
      chromium.close();
    } finally {
      server.close();
    }
  }

  @BeforeEach
  void openBrowser() {
    context = newContext(chromium.browser());
    page = context.newPage();
  }

  @AfterEach
  void closeBrowser() {
    context.close();
  }

  private static BrowserContext newContext(Browser browser) {
    return browser.newContext(new Browser.NewContextOptions().setBaseURL(server.baseUrl()));
  }

  private void enterPassword(WebTestServer.User user, String password) {
    if (!page.url().startsWith(server.baseUrl() + "/login")
        || page.url().startsWith(server.baseUrl() + "/login/")) {
      page.navigate("/login");
    }
    page.getByLabel("Username").fill(user.username());
    page.getByLabel("Password").fill(password);
    page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON, nameIs("Sign in")).click();
  }

  private void enterCode(String code) {
    page.getByLabel("Code").fill(code);
    page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON, nameIs("Verify")).click();
  }

  private static Page.GetByRoleOptions nameIs(String name) {
    return new Page.GetByRoleOptions().setName(name);
  }

  /** The page at {@code path}, with any query (Playwright runs the pattern as a JS regex). */
  private static Pattern path(String path) {
    String literal = (server.baseUrl() + path).replaceAll("[.?*+^$()\\[\\]{}|/\\\\]", "\\\\$0");
    return Pattern.compile("^" + literal + "(\\?.*)?$");
  }

  @Test
  void signInWhenPasswordAndTotpAreRightThenTheHomePageSaysWhoIsSignedIn() {
    WebTestServer.User nurse = server.nurse();
    page.navigate("/");
    assertThat(page).hasURL(path("/login"));

    enterPassword(nurse, WebTestServer.PASSWORD);
    assertThat(page).hasURL(path("/login/mfa"));
    enterCode(TotpCodes.next(nurse.totpSecret()));

    assertThat(page).hasURL(path("/"));
    assertThat(page.locator("#signed-in-as")).hasText(nurse.account().displayName().orElseThrow());
    assertThat(page.locator("#username")).hasText(nurse.username());
    assertThat(page.locator("#roles")).hasText("nurse");
  }

  @Test
  void secondFactorWhenTheCodeIsWrongThenAnErrorAndStillOnTheCodePage() {
    WebTestServer.User nurse = server.nurse();
    enterPassword(nurse, WebTestServer.PASSWORD);
    enterCode(TotpCodes.wrong(nurse.totpSecret()));

    assertThat(page).hasURL(path("/login/mfa"));
    assertThat(page.locator("#error")).hasText(LoginController.BAD_CODE);
    page.navigate("/");
    assertThat(page).hasURL(path("/login"));
  }

  @Test
  void passwordWhenWrongFiveTimesThenLockedEvenWithTheRightOneUntilAnAdminUnlocks() {
    WebTestServer.User nurse = server.nurse();
    for (int attempt = 1; attempt <= 4; attempt++) {
      enterPassword(nurse, "wrong-password-" + attempt);
      assertThat(page.locator("#error")).hasText(LoginController.BAD_CREDENTIALS);
    }
    enterPassword(nurse, "wrong-password-5");
    assertThat(page.locator("#error")).hasText(LoginController.LOCKED);

    enterPassword(nurse, WebTestServer.PASSWORD);
    assertThat(page).hasURL(path("/login"));
    assertThat(page.locator("#error")).hasText(LoginController.LOCKED);

    server.accounts().unlock(nurse.username(), WebTestServer.ADMIN);
    enterPassword(nurse, WebTestServer.PASSWORD);
    enterCode(TotpCodes.next(nurse.totpSecret()));
    assertThat(page).hasURL(path("/"));
    assertThat(page.locator("#username")).hasText(nurse.username());
  }

  @Test
  void signOutWhenClickedThenBackAtSignInAndTheOldCookieOpensNothing() {
    WebTestServer.User nurse = server.nurse();
    enterPassword(nurse, WebTestServer.PASSWORD);
    enterCode(TotpCodes.next(nurse.totpSecret()));
    assertThat(page).hasURL(path("/"));
    List<Cookie> signedIn = context.cookies();
    assertThat(signedIn).extracting(c -> c.name).contains(FormClient.COOKIE);

    page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON, nameIs("Sign out")).click();
    assertThat(page).hasURL(path("/login"));
    assertThat(page.url()).endsWith("/login?signed-out");
    assertThat(page.getByRole(com.microsoft.playwright.options.AriaRole.STATUS))
        .hasText(LoginController.SIGNED_OUT);

    try (BrowserContext replay = newContext(chromium.browser())) {
      replay.addCookies(signedIn);
      Page again = replay.newPage();
      again.navigate("/");
      assertThat(again).hasURL(path("/login"));
    }
    assertThat(server.auditOf(nurse.account()))
        .anySatisfy(
            row -> {
              assertThat(row.get("action")).isEqualTo("LOGOUT");
              assertThat(row.get("outcome_reason")).isEqualTo("signed out");
              assertThat(row.get("source_ip")).isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
              assertThat((String) row.get("user_agent")).contains("Chrome");
            });
  }

  @Test
  void firstSignInWhenWorkforceWithoutTotpThenEnrollsWithQrCodeAndSeesRecoveryCodesOnce() {
    WebTestServer.User nurse = server.nurseWithoutTotp();
    enterPassword(nurse, WebTestServer.PASSWORD);

    assertThat(page).hasURL(path("/login/enroll"));
    assertThat(page.locator("img#qr")).isVisible();
    assertThat(page.locator("img#qr").getAttribute("src")).startsWith("data:image/png;base64,");
    assertThat(
            (Boolean)
                page.locator("img#qr").evaluate("img => img.complete && img.naturalWidth > 100"))
        .isTrue();
    String secret = page.locator("#secret").textContent().strip();
    assertThat(secret).matches("[A-Z2-7]{32}");

    page.getByLabel("Code from the app").fill(TotpCodes.at(secret, Instant.now()));
    page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON, nameIs("Confirm")).click();

    assertThat(page.locator("#recovery-codes li")).hasCount(10);
    assertThat(page.locator("#recovery-codes li").first())
        .hasText(Pattern.compile("^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$"));
    page.getByRole(
            com.microsoft.playwright.options.AriaRole.BUTTON,
            new Page.GetByRoleOptions().setName(Pattern.compile("continue")))
        .click();
    assertThat(page).hasURL(path("/"));
    assertThat(page.locator("#username")).hasText(nurse.username());
    assertThat(server.accounts().findById(nurse.account().id()).orElseThrow().mfaEnrolled())
        .isTrue();
  }
}
