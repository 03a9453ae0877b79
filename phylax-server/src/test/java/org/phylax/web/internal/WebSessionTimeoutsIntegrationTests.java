package org.phylax.web.internal;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.identity.internal.TotpCodes;

/**
 * Session lifetimes, shortened for the test: an idle timeout of 4 s (15 minutes by default) and an
 * absolute lifetime of 9 s (12 hours). The sweep runs only when the test calls it.
 */
class WebSessionTimeoutsIntegrationTests {

  static final long IDLE_MS = 4_000;
  static final long ABSOLUTE_MS = 9_000;

  @TempDir static Path dir;
  static WebTestServer server;
  static Chromium chromium;

  @BeforeAll
  static void start() {
    server =
        WebTestServer.start(
            dir,
            Map.of(
                "phylax.web.idle-timeout", IDLE_MS + "ms",
                "phylax.web.absolute-timeout", ABSOLUTE_MS + "ms",
                "phylax.web.session-sweep", "1h"));
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

  @Test
  void idleTimeoutWhenTheBrowserComesBackLaterThenSignedOutAndTheEndIsAudited() throws Exception {
    WebTestServer.User nurse = server.nurse();
    try (BrowserContext context =
        chromium
            .browser()
            .newContext(new Browser.NewContextOptions().setBaseURL(server.baseUrl()))) {
      Page page = context.newPage();
      page.navigate("/login");
      page.getByLabel("Username").fill(nurse.username());
      page.getByLabel("Password").fill(WebTestServer.PASSWORD);
      page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
      page.getByLabel("Code").fill(TotpCodes.next(nurse.totpSecret()));
      page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Verify")).click();
      assertThat(page.locator("#username")).hasText(nurse.username());

      Thread.sleep(IDLE_MS + 1_000);
      page.reload();

      assertThat(page).hasURL(Pattern.compile("/login\\?expired$"));
      assertThat(page.getByRole(AriaRole.STATUS)).hasText(LoginController.SESSION_ENDED);
    }
    assertThat(server.sessionsOf(nurse.account())).isZero();
    assertThat(server.auditOf(nurse.account()))
        .anySatisfy(
            row -> {
              assertThat(row.get("action")).isEqualTo("LOGOUT");
              assertThat(row.get("outcome_reason"))
                  .isEqualTo("session expired: idle timeout (4s without a request)");
              // chromium reaches localhost over IPv6
              assertThat(row.get("source_ip")).isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
              assertThat((String) row.get("user_agent")).contains("Chrome");
            });
  }

  @Test
  void idleTimeoutWhenNobodyComesBackThenTheSweepEndsAndAuditsTheSession() throws Exception {
    WebTestServer.User patient = server.patient();
    FormClient browser = new FormClient(server.baseUrl(), "sweep-test/1");
    browser.signIn(patient, null);
    assertThat(server.sessionsOf(patient.account())).isEqualTo(1);

    Thread.sleep(IDLE_MS + 500);
    assertThat(server.bean(ExpiredSessions.class).sweep()).isGreaterThanOrEqualTo(1);

    assertThat(server.sessionsOf(patient.account())).isZero();
    assertThat(server.auditOf(patient.account()))
        .anySatisfy(
            row -> {
              assertThat(row.get("action")).isEqualTo("LOGOUT");
              assertThat(row.get("outcome_reason"))
                  .isEqualTo("session expired: idle timeout (4s without a request)");
              assertThat(row.get("source_ip")).isNull(); // nobody was there
            });
  }

  @Test
  void absoluteLifetimeWhenReachedWhileActiveThenTheSessionEndsAnyway() throws Exception {
    WebTestServer.User patient = server.patient();
    FormClient browser = new FormClient(server.baseUrl(), "absolute-test/1");
    browser.signIn(patient, null);
    long signedIn = System.currentTimeMillis();

    HttpResponse<String> answer;
    do {
      Thread.sleep(1_000); // well within the idle timeout
      answer = browser.get("/");
    } while (answer.statusCode() == 200 && System.currentTimeMillis() - signedIn < 20_000);

    assertThat(answer.statusCode()).isEqualTo(302);
    assertThat(answer.headers().firstValue("Location").orElseThrow()).endsWith("/login?expired");
    assertThat(System.currentTimeMillis() - signedIn).isGreaterThanOrEqualTo(ABSOLUTE_MS);
    assertThat(server.auditOf(patient.account()))
        .anySatisfy(
            row -> {
              assertThat(row.get("action")).isEqualTo("LOGOUT");
              assertThat(row.get("outcome_reason"))
                  .isEqualTo("session ended: absolute lifetime of 9s reached");
              assertThat(row.get("user_agent")).isEqualTo("absolute-test/1");
            });
  }
}
