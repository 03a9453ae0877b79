package org.phylax.oauth.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.identity.Account;
import org.phylax.identity.Accounts;
import org.phylax.identity.Actor;
import org.phylax.identity.NewAccount;
import org.phylax.identity.Role;
import org.phylax.oauth.UserTokens;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.TestServers;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Operator-issued user tokens over real HTTP: their claims, the refusal of a disabled user's token
 * once the account check's freshness has passed, and the audit of their issue.
 */
class UserTokensIntegrationTests {

  @TempDir static Path dir;
  static PhylaxServer server;
  static Accounts accounts;
  static UserTokens tokens;
  static JdbcTemplate jdbc;
  static final HttpClient http = HttpClient.newHttpClient();
  static final String PASSWORD = "violet-harbour-tractor-47";
  static final Actor ADMIN = Actor.operator("tester");

  @BeforeAll
  static void start() {
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    System.setProperty("phylax.oauth.account-freshness", "2s");
    server = TestServers.dev(dir);
    accounts = server.context().getBean(Accounts.class);
    tokens = server.context().getBean(UserTokens.class);
    jdbc = server.context().getBean(JdbcTemplate.class);
  }

  @AfterAll
  static void stop() {
    server.close();
    System.clearProperty("phylax.audit.checkpoint-poll");
    System.clearProperty("phylax.oauth.account-freshness");
  }

  private static Account nurse() {
    return accounts.create(
        NewAccount.builder("nurse-" + UUID.randomUUID().toString().substring(0, 8))
            .role(Role.NURSE)
            .practitioner(UUID.randomUUID())
            .password(PASSWORD)
            .build(),
        ADMIN);
  }

  private static HttpResponse<String> me(String token) throws Exception {
    return http.send(
        HttpRequest.newBuilder(server.baseUri().resolve("/api/me"))
            .header("Authorization", "Bearer " + token)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject claims(String jwt) {
    return JsonParser.parseString(
            new String(Base64Url.decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8))
        .getAsJsonObject();
  }

  private static final class Base64Url {
    static byte[] decode(String s) {
      return java.util.Base64.getUrlDecoder().decode(s);
    }
  }

  @Test
  void issueThenTheTokenNamesTheAccountItsRolesAndPractitionerAndOpensTheApi() throws Exception {
    Account nurse = nurse();
    UserTokens.Issued issued = tokens.issue(nurse.username(), Duration.ofMinutes(10), "tester");

    JsonObject claims = claims(issued.token());
    assertThat(claims.get("sub").getAsString()).isEqualTo(nurse.id().toString());
    assertThat(claims.get("phylax_account").getAsString()).isEqualTo(nurse.id().toString());
    assertThat(claims.getAsJsonArray("roles").get(0).getAsString()).isEqualTo("nurse");
    assertThat(claims.get("fhirUser").getAsString())
        .isEqualTo("Practitioner/" + nurse.practitionerId().orElseThrow());
    assertThat(claims.get("exp").getAsLong() - claims.get("iat").getAsLong()).isEqualTo(600);
    assertThat(me(issued.token()).statusCode()).isEqualTo(200);
    assertThat(
            jdbc.queryForObject(
                "select count(*) from audit_event where action = 'LOGIN' and actor_user = 'tester'"
                    + " and actor_role = 'operator' and entity_id = ?",
                Long.class,
                nurse.id().toString()))
        .isEqualTo(1);
  }

  @Test
  void disabledAccountThenItsTokenIsRefusedOnceTheCheckIsStale() throws Exception {
    Account nurse = nurse();
    String token = tokens.issue(nurse.username(), Duration.ofMinutes(10), "tester").token();
    assertThat(me(token).statusCode()).isEqualTo(200);

    accounts.disable(nurse.username(), "left the clinic", ADMIN);
    Thread.sleep(2_500); // the configured freshness (2 s here, 30 s by default) and a margin

    HttpResponse<String> refused = me(token);
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("invalid_token");

    accounts.enable(nurse.username(), ADMIN);
    Thread.sleep(2_500);
    assertThat(me(token).statusCode()).isEqualTo(200);
  }

  @Test
  void issueWhenUnknownDisabledOrLifetimeOutOfRangeThenRefusedWithTheReason() {
    Account nurse = nurse();
    assertThatThrownBy(() -> tokens.issue("nobody-here", Duration.ofMinutes(5), "tester"))
        .hasMessage("no account named nobody-here");
    assertThatThrownBy(() -> tokens.issue(nurse.username(), Duration.ofHours(2), "tester"))
        .hasMessage("--ttl must be between 1m and 1h");
    accounts.disable(nurse.username(), "on leave", ADMIN);
    assertThatThrownBy(() -> tokens.issue(nurse.username(), Duration.ofMinutes(5), "tester"))
        .hasMessage("account " + nurse.username() + " is disabled");
  }
}
