package org.phylax.web.internal;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import net.datafaker.Faker;
import org.phylax.identity.Account;
import org.phylax.identity.Accounts;
import org.phylax.identity.Actor;
import org.phylax.identity.NewAccount;
import org.phylax.identity.Role;
import org.phylax.identity.internal.TotpCodes;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.TestServers;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A real Phylax (embedded PostgreSQL, real HTTP) for the web tests, started with the given Spring
 * properties as system properties (cleared again on close), and synthetic users made through the
 * identity module's API.
 */
final class WebTestServer implements AutoCloseable {

  static final String PASSWORD = "lantern-orchard-cobalt-93";
  static final Actor ADMIN = Actor.operator("web-tests");

  private final PhylaxServer server;
  private final Map<String, String> properties;
  private final Faker faker = new Faker();

  private WebTestServer(PhylaxServer server, Map<String, String> properties) {
    this.server = server;
    this.properties = properties;
  }

  static WebTestServer start(Path dir, Map<String, String> properties) {
    Map<String, String> all = new LinkedHashMap<>(properties);
    all.putIfAbsent("phylax.audit.checkpoint-poll", "1h");
    all.forEach(System::setProperty);
    try {
      return new WebTestServer(TestServers.dev(dir), all);
    } catch (RuntimeException e) {
      all.keySet().forEach(System::clearProperty);
      throw e;
    }
  }

  String baseUrl() {
    return "http://localhost:" + server.port();
  }

  <T> T bean(Class<T> type) {
    return server.context().getBean(type);
  }

  Accounts accounts() {
    return bean(Accounts.class);
  }

  JdbcTemplate jdbc() {
    return bean(JdbcTemplate.class);
  }

  /** A workforce user without a second factor (enrolls at the first sign-in). */
  User nurseWithoutTotp() {
    Account account =
        accounts()
            .create(
                NewAccount.builder(username("nurse"))
                    .role(Role.NURSE)
                    .displayName(faker.name().fullName())
                    .password(PASSWORD)
                    .build(),
                ADMIN);
    return new User(account, null);
  }

  /** A workforce user with a TOTP authenticator enrolled (the current step already used). */
  User nurse() {
    Account account = nurseWithoutTotp().account();
    String secret = accounts().beginTotp(account.id()).secret();
    accounts().confirmTotp(account.id(), TotpCodes.at(secret, java.time.Instant.now()), ADMIN);
    return new User(accounts().findById(account.id()).orElseThrow(), secret);
  }

  /** A patient without a second factor: signs in with the password alone. */
  User patient() {
    Account account =
        accounts()
            .create(
                NewAccount.builder(username("pt"))
                    .role(Role.PATIENT)
                    .patient(UUID.randomUUID())
                    .password(PASSWORD)
                    .build(),
                ADMIN);
    return new User(account, null);
  }

  /**
   * A workforce user of {@code role} with a TOTP authenticator enrolled, linked to {@code
   * practitioner} when not null.
   */
  User workforce(Role role, UUID practitioner) {
    NewAccount.Builder b =
        NewAccount.builder(username(role.key().replace('_', '-')))
            .role(role)
            .displayName(faker.name().fullName())
            .password(PASSWORD);
    if (practitioner != null) {
      b.practitioner(practitioner);
    }
    Account account = accounts().create(b.build(), ADMIN);
    String secret = accounts().beginTotp(account.id()).secret();
    accounts().confirmTotp(account.id(), TotpCodes.at(secret, java.time.Instant.now()), ADMIN);
    return new User(accounts().findById(account.id()).orElseThrow(), secret);
  }

  /** A patient linked to the stored Patient {@code patientId}; signs in with the password. */
  User patient(UUID patientId) {
    Account account =
        accounts()
            .create(
                NewAccount.builder(username("pt"))
                    .role(Role.PATIENT)
                    .patient(patientId)
                    .password(PASSWORD)
                    .build(),
                ADMIN);
    return new User(account, null);
  }

  private String username(String prefix) {
    return prefix + "-" + faker.number().digits(8);
  }

  /** Audit rows of one account's sign-ins and sessions, oldest first. */
  java.util.List<Map<String, Object>> auditOf(Account account) {
    return jdbc()
        .queryForList(
            "select action, outcome, actor_user, source_ip, user_agent, outcome_reason"
                + " from audit_event where entity_type = 'UserAccount' and entity_id = ?"
                + " and action in ('LOGIN', 'LOGIN_FAILED', 'MFA', 'MFA_ENROLL', 'LOGOUT')"
                + " order by seq",
            account.id().toString());
  }

  /** How many stored sessions belong to the account. */
  long sessionsOf(Account account) {
    return jdbc()
        .queryForObject(
            "select count(*) from spring_session where principal_name = ?",
            Long.class,
            account.id().toString());
  }

  @Override
  public void close() {
    try {
      server.close();
    } finally {
      properties.keySet().forEach(System::clearProperty);
    }
  }

  /** A test user: the account and, when enrolled, its TOTP secret in base32. */
  record User(Account account, String totpSecret) {
    String username() {
      return account.username();
    }
  }
}
