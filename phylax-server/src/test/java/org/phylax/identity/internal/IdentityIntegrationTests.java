package org.phylax.identity.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.datafaker.Faker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.audit.AuditLog;
import org.phylax.identity.Account;
import org.phylax.identity.AccountException;
import org.phylax.identity.AccountStatus;
import org.phylax.identity.Actor;
import org.phylax.identity.ClientInfo;
import org.phylax.identity.NewAccount;
import org.phylax.identity.RecoveryCodes;
import org.phylax.identity.Role;
import org.phylax.identity.SignInResult;
import org.phylax.identity.SignInResult.Outcome;
import org.phylax.identity.TotpEnrollment;
import org.phylax.identity.UsernameTakenException;
import org.phylax.identity.WeakPasswordException;
import org.phylax.keys.DataKeys;
import org.phylax.keys.KeyAdministration;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.TestServers;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Accounts and sign-in on a real PostgreSQL, with the module assembled as in production but on a
 * clock the test moves: lockout windows and TOTP steps pass without sleeping.
 */
class IdentityIntegrationTests {

  private static final String PASSWORD = "quartz-lantern-velvet-81";
  private static final ClientInfo BROWSER =
      new ClientInfo("192.0.2.17", "Mozilla/5.0 (synthetic test browser)", "req-test");

  @TempDir static Path dir;
  static PhylaxServer server;
  static JdbcTemplate jdbc;
  static MutableClock clock;
  static IdentityConfiguration.Identity identity;
  static JdbcAccounts accounts;
  static JdbcSignIn signIn;
  static Totp totp;

  private final Faker faker = new Faker();
  private final Actor admin = Actor.operator("test-operator");

  @BeforeAll
  static void start() {
    server = TestServers.dev(dir);
    jdbc = server.context().getBean(JdbcTemplate.class);
    clock = new MutableClock(Instant.parse("2026-11-25T09:00:10Z"));
    identity =
        IdentityConfiguration.Identity.assemble(
            jdbc,
            server.context().getBean(TransactionTemplate.class),
            server.context().getBean(DataKeys.class),
            server.context().getBean(AuditLog.class),
            LockoutRules.DEFAULT,
            clock);
    accounts = identity.accounts();
    signIn = identity.signIn();
    totp = new Totp(new java.security.SecureRandom());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @BeforeEach
  void tick() {
    // Each test starts on a fresh TOTP step, well after the previous test's codes.
    clock.advance(Duration.ofHours(1));
  }

  private String newUsername() {
    return faker.internet().username().replaceAll("[^A-Za-z0-9._-]", "")
        + "-"
        + faker.number().digits(6);
  }

  private Account workforce(Role role) {
    return accounts.create(
        NewAccount.builder(newUsername())
            .role(role)
            .practitioner(UUID.randomUUID())
            .displayName(faker.name().fullName())
            .password(PASSWORD)
            .build(),
        admin);
  }

  private Account patient() {
    return accounts.create(
        NewAccount.builder(newUsername())
            .role(Role.PATIENT)
            .patient(UUID.randomUUID())
            .displayName(faker.name().fullName())
            .password(PASSWORD)
            .build(),
        admin);
  }

  /** Enrolls TOTP through the sign-in flow; returns the secret. */
  private byte[] enrolled(Account account) {
    SignInResult first = signIn.checkPassword(account.username(), PASSWORD, BROWSER);
    assertThat(first.outcome()).isEqualTo(Outcome.MFA_ENROLLMENT_REQUIRED);
    TotpEnrollment enrollment = signIn.beginEnrollment(first.challenge().orElseThrow());
    byte[] secret = Totp.fromBase32(enrollment.secret());
    SignInResult done =
        signIn.confirmEnrollment(
            first.challenge().orElseThrow(), totp.code(secret, clock.instant()), BROWSER);
    assertThat(done.outcome()).isEqualTo(Outcome.SIGNED_IN);
    clock.advance(Duration.ofSeconds(30));
    return secret;
  }

  private int rows(String sql, Object... args) {
    Integer n = jdbc.queryForObject(sql, Integer.class, args);
    return n == null ? 0 : n;
  }

  // ------------------------------------------------------------------ accounts

  @Test
  void createWhenValidThenFoundCaseInsensitivelyWithDisplayNameEncryptedAtRest() {
    String name = faker.name().fullName();
    Account created =
        accounts.create(
            NewAccount.builder("Dr.Quinn-" + faker.number().digits(6))
                .role(Role.PHYSICIAN)
                .role(Role.ADMIN)
                .practitioner(UUID.randomUUID())
                .displayName(name)
                .password(PASSWORD)
                .build(),
            admin);

    Account found = accounts.find(created.username().toUpperCase()).orElseThrow();
    assertThat(found.id()).isEqualTo(created.id());
    assertThat(found.displayName()).contains(name);
    assertThat(found.roles()).containsExactlyInAnyOrder(Role.PHYSICIAN, Role.ADMIN);
    assertThat(found.status()).isEqualTo(AccountStatus.ACTIVE);
    assertThat(found.mfaEnrolled()).isFalse();
    assertThat(found.createdBy()).isEqualTo("test-operator");
    assertThat(found.toString()).doesNotContain(name).contains("displayName=***");
    String dump =
        jdbc.queryForObject(
            "select string_agg(t::text, '|') from user_account t where id = ?",
            String.class,
            created.id());
    byte[] stored =
        jdbc.queryForObject(
            "select display_name from user_account where id = ?", byte[].class, created.id());
    assertThat(dump).doesNotContain(name).doesNotContain(PASSWORD);
    assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain(name);
    assertThat(rows("select count(*) from user_account_history where account_id = ?", created.id()))
        .isOne();
  }

  @Test
  void createWhenUsernameTakenInOtherCaseThenRefusedAndNothingAdded() {
    Account first = workforce(Role.NURSE);
    int before = rows("select count(*) from user_account");

    assertThatThrownBy(
            () ->
                accounts.create(
                    NewAccount.builder(first.username().toUpperCase())
                        .role(Role.BILLING)
                        .password(PASSWORD)
                        .build(),
                    admin))
        .isInstanceOf(UsernameTakenException.class)
        .hasMessage("username '" + first.username().toUpperCase() + "' is already taken");
    assertThat(rows("select count(*) from user_account")).isEqualTo(before);
  }

  @Test
  void createWhenInputIsWrongThenEachRefusedWithItsReasonAndNothingAdded() {
    int before = rows("select count(*) from user_account");
    UUID id = UUID.randomUUID();

    assertThatThrownBy(
            () ->
                accounts.create(
                    NewAccount.builder("x").role(Role.NURSE).password(PASSWORD).build(), admin))
        .isInstanceOf(AccountException.class)
        .hasMessageContaining("is not valid: 3 to 64");
    assertThatThrownBy(
            () ->
                accounts.create(
                    NewAccount.builder(newUsername()).password(PASSWORD).build(), admin))
        .hasMessageStartingWith("at least one role is required");
    assertThatThrownBy(
            () ->
                accounts.create(
                    NewAccount.builder(newUsername()).role(Role.PATIENT).password(PASSWORD).build(),
                    admin))
        .hasMessage("a patient account must be linked to its Patient");
    assertThatThrownBy(
            () ->
                accounts.create(
                    NewAccount.builder(newUsername())
                        .role(Role.PATIENT)
                        .role(Role.NURSE)
                        .patient(id)
                        .password(PASSWORD)
                        .build(),
                    admin))
        .hasMessage("a patient account cannot also have workforce roles");
    assertThatThrownBy(
            () ->
                accounts.create(
                    NewAccount.builder(newUsername())
                        .role(Role.NURSE)
                        .patient(id)
                        .practitioner(id)
                        .password(PASSWORD)
                        .build(),
                    admin))
        .hasMessage("link either a Practitioner or a Patient, not both");
    assertThatThrownBy(
            () ->
                accounts.create(
                    NewAccount.builder(newUsername()).role(Role.NURSE).password("short").build(),
                    admin))
        .isInstanceOf(WeakPasswordException.class)
        .hasMessage("password refused: it must be at least 12 characters long");
    assertThat(rows("select count(*) from user_account")).isEqualTo(before);
  }

  @Test
  void deleteWhenTriedInTheDatabaseThenRefused() {
    Account account = workforce(Role.BILLING);

    assertThatThrownBy(() -> jdbc.update("delete from user_account where id = ?", account.id()))
        .rootCause()
        .hasMessageContaining("user accounts are never deleted");
  }

  // ------------------------------------------------------------------ sign-in

  @Test
  void signInWhenWorkforceWithoutTotpThenEnrollsWithQrAndRecoveryCodesThenNeedsTotp() {
    Account nurse = workforce(Role.NURSE);

    SignInResult first = signIn.checkPassword(nurse.username(), PASSWORD, BROWSER);
    assertThat(first.outcome()).isEqualTo(Outcome.MFA_ENROLLMENT_REQUIRED);
    String challenge = first.challenge().orElseThrow();
    TotpEnrollment enrollment = signIn.beginEnrollment(challenge);
    byte[] secret = Totp.fromBase32(enrollment.secret());
    assertThat(enrollment.uri()).startsWith("otpauth://totp/Phylax%3A" + nurse.username());
    assertThat(enrollment.qrPng()).startsWith(0x89, 'P', 'N', 'G');
    assertThat(enrollment.toString()).doesNotContain(enrollment.secret());

    SignInResult wrong =
        signIn.confirmEnrollment(
            challenge,
            "000000".equals(totp.code(secret, clock.instant())) ? "111111" : "000000",
            BROWSER);
    SignInResult done =
        signIn.confirmEnrollment(challenge, totp.code(secret, clock.instant()), BROWSER);

    assertThat(wrong.outcome()).isEqualTo(Outcome.BAD_CREDENTIALS);
    assertThat(done.outcome()).isEqualTo(Outcome.SIGNED_IN);
    assertThat(done.account().orElseThrow().mfaEnrolled()).isTrue();
    RecoveryCodes codes = done.recoveryCodes().orElseThrow();
    assertThat(codes.codes()).hasSize(10);
    assertThat(
            rows(
                "select count(*) from user_account_recovery_code where account_id = ?", nurse.id()))
        .isEqualTo(10);
    String stored =
        jdbc.queryForObject(
            "select encode(totp_secret, 'escape') from user_account where id = ?",
            String.class,
            nurse.id());
    assertThat(stored).doesNotContain(enrollment.secret());

    clock.advance(Duration.ofSeconds(30));
    SignInResult again = signIn.checkPassword(nurse.username(), PASSWORD, BROWSER);
    assertThat(again.outcome()).isEqualTo(Outcome.MFA_REQUIRED);
    SignInResult second =
        signIn.checkSecondFactor(
            again.challenge().orElseThrow(), totp.code(secret, clock.instant()), BROWSER);
    assertThat(second.outcome()).isEqualTo(Outcome.SIGNED_IN);
    assertThat(second.account().orElseThrow().id()).isEqualTo(nurse.id());
  }

  @Test
  void secondFactorWhenCodeReplayedWithinItsWindowThenRefusedButTheNextStepsCodeWorks() {
    Account physician = workforce(Role.PHYSICIAN);
    byte[] secret = enrolled(physician);
    String code = totp.code(secret, clock.instant());

    String c1 =
        signIn.checkPassword(physician.username(), PASSWORD, BROWSER).challenge().orElseThrow();
    SignInResult used = signIn.checkSecondFactor(c1, code, BROWSER);
    String c2 =
        signIn.checkPassword(physician.username(), PASSWORD, BROWSER).challenge().orElseThrow();
    SignInResult replayed = signIn.checkSecondFactor(c2, code, BROWSER);
    clock.advance(Duration.ofSeconds(30));
    SignInResult next = signIn.checkSecondFactor(c2, totp.code(secret, clock.instant()), BROWSER);

    assertThat(used.outcome()).isEqualTo(Outcome.SIGNED_IN);
    assertThat(replayed.outcome()).isEqualTo(Outcome.BAD_CREDENTIALS);
    assertThat(next.outcome()).isEqualTo(Outcome.SIGNED_IN);
  }

  @Test
  void secondFactorWhenAuthenticatorClockIsOneStepOffThenAcceptedButTwoStepsOffRefused() {
    Account physician = workforce(Role.PHYSICIAN);
    byte[] secret = enrolled(physician);
    clock.advance(Duration.ofMinutes(5));

    String c1 =
        signIn.checkPassword(physician.username(), PASSWORD, BROWSER).challenge().orElseThrow();
    SignInResult behind =
        signIn.checkSecondFactor(c1, totp.code(secret, clock.instant().minusSeconds(30)), BROWSER);
    String c2 =
        signIn.checkPassword(physician.username(), PASSWORD, BROWSER).challenge().orElseThrow();
    SignInResult ahead =
        signIn.checkSecondFactor(c2, totp.code(secret, clock.instant().plusSeconds(30)), BROWSER);
    clock.advance(Duration.ofMinutes(5));
    String c3 =
        signIn.checkPassword(physician.username(), PASSWORD, BROWSER).challenge().orElseThrow();
    SignInResult farAhead =
        signIn.checkSecondFactor(c3, totp.code(secret, clock.instant().plusSeconds(60)), BROWSER);

    assertThat(behind.outcome()).isEqualTo(Outcome.SIGNED_IN);
    assertThat(ahead.outcome()).isEqualTo(Outcome.SIGNED_IN);
    assertThat(farAhead.outcome()).isEqualTo(Outcome.BAD_CREDENTIALS);
  }

  @Test
  void secondFactorWhenRecoveryCodeThenWorksOnceOnly() {
    Account account = workforce(Role.COMPLIANCE_OFFICER);
    SignInResult first = signIn.checkPassword(account.username(), PASSWORD, BROWSER);
    byte[] secret =
        Totp.fromBase32(signIn.beginEnrollment(first.challenge().orElseThrow()).secret());
    List<String> codes =
        signIn
            .confirmEnrollment(
                first.challenge().orElseThrow(), totp.code(secret, clock.instant()), BROWSER)
            .recoveryCodes()
            .orElseThrow()
            .codes();

    String c1 =
        signIn.checkPassword(account.username(), PASSWORD, BROWSER).challenge().orElseThrow();
    SignInResult once = signIn.checkSecondFactor(c1, codes.get(3).toUpperCase(), BROWSER);
    String c2 =
        signIn.checkPassword(account.username(), PASSWORD, BROWSER).challenge().orElseThrow();
    SignInResult twice = signIn.checkSecondFactor(c2, codes.get(3), BROWSER);
    SignInResult another = signIn.checkSecondFactor(c2, codes.get(4), BROWSER);

    assertThat(once.outcome()).isEqualTo(Outcome.SIGNED_IN);
    assertThat(twice.outcome()).isEqualTo(Outcome.BAD_CREDENTIALS);
    assertThat(another.outcome()).isEqualTo(Outcome.SIGNED_IN);
    assertThat(
            rows(
                "select count(*) from user_account_recovery_code where account_id = ? and used_at is null",
                account.id()))
        .isEqualTo(8);
  }

  @Test
  void signInWhenPatientWithoutTotpThenSignedInWithPasswordAlone() {
    Account patient = patient();

    SignInResult result = signIn.checkPassword(patient.username(), PASSWORD, BROWSER);

    assertThat(result.outcome()).isEqualTo(Outcome.SIGNED_IN);
    assertThat(result.account().orElseThrow().roles()).containsExactly(Role.PATIENT);
  }

  @Test
  void signInWhenPatientEnrollsOptionalTotpThenItIsRequiredAfterwards() {
    Account patient = patient();
    TotpEnrollment enrollment = accounts.beginTotp(patient.id());
    byte[] secret = Totp.fromBase32(enrollment.secret());

    assertThatThrownBy(() -> accounts.confirmTotp(patient.id(), "12345x", admin))
        .isInstanceOf(AccountException.class);
    RecoveryCodes codes =
        accounts.confirmTotp(patient.id(), totp.code(secret, clock.instant()), admin);
    clock.advance(Duration.ofSeconds(30));

    assertThat(codes.codes()).hasSize(10);
    assertThat(signIn.checkPassword(patient.username(), PASSWORD, BROWSER).outcome())
        .isEqualTo(Outcome.MFA_REQUIRED);
  }

  @Test
  void signInWhenUnknownUsernameThenSameAnswerAsWrongPasswordAndAboutTheSameTime() {
    Account nurse = workforce(Role.NURSE);

    // The fastest of four tries each: what the work costs, without the machine's hiccups.
    long known = Long.MAX_VALUE;
    long unknown = Long.MAX_VALUE;
    SignInResult wrong = null;
    SignInResult nobody = null;
    for (int i = 0; i < 4; i++) {
      long t0 = System.nanoTime();
      wrong = signIn.checkPassword(nurse.username(), "not-the-password-" + i, BROWSER);
      long t1 = System.nanoTime();
      nobody =
          signIn.checkPassword(
              "nobody-" + UUID.randomUUID().toString().substring(0, 8),
              "not-the-password-" + i,
              BROWSER);
      long t2 = System.nanoTime();
      known = Math.min(known, t1 - t0);
      unknown = Math.min(unknown, t2 - t1);
    }

    assertThat(nobody.outcome()).isEqualTo(wrong.outcome()).isEqualTo(Outcome.BAD_CREDENTIALS);
    assertThat(nobody.toString()).isEqualTo(wrong.toString());
    // Both spend one Argon2id verification (about 100 ms); without the dummy hash the unknown
    // name would answer in a few milliseconds.
    assertThat((double) unknown / known).isBetween(0.5, 2.0);
  }

  // ------------------------------------------------------------------ lockout

  @Test
  void
      lockoutWhenFifthFailureWithinWindowThenLockedEvenForTheRightPasswordUntilTheDurationPasses() {
    Account billing = workforce(Role.BILLING);
    for (int i = 1; i <= 4; i++) {
      assertThat(signIn.checkPassword(billing.username(), "wrong-password-" + i, BROWSER).outcome())
          .as("failure %d", i)
          .isEqualTo(Outcome.BAD_CREDENTIALS);
      clock.advance(Duration.ofMinutes(3));
    }

    SignInResult fifth = signIn.checkPassword(billing.username(), "wrong-password-5", BROWSER);
    SignInResult right = signIn.checkPassword(billing.username(), PASSWORD, BROWSER);
    Account locked = accounts.findById(billing.id()).orElseThrow();
    clock.advance(Duration.ofMinutes(14));
    SignInResult stillLocked = signIn.checkPassword(billing.username(), PASSWORD, BROWSER);
    clock.advance(Duration.ofMinutes(1));
    SignInResult after = signIn.checkPassword(billing.username(), PASSWORD, BROWSER);

    assertThat(fifth.outcome()).isEqualTo(Outcome.LOCKED);
    assertThat(right.outcome()).isEqualTo(Outcome.LOCKED);
    assertThat(locked.status()).isEqualTo(AccountStatus.LOCKED);
    assertThat(locked.lockedUntil()).isPresent();
    assertThat(stillLocked.outcome()).isEqualTo(Outcome.LOCKED);
    assertThat(after.outcome()).isEqualTo(Outcome.MFA_ENROLLMENT_REQUIRED);
    assertThat(accounts.findById(billing.id()).orElseThrow().status())
        .isEqualTo(AccountStatus.ACTIVE);
  }

  @Test
  void lockoutWhenFailuresAreSpreadBeyondTheWindowThenNoLock() {
    Account nurse = workforce(Role.NURSE);
    for (int i = 1; i <= 8; i++) {
      assertThat(signIn.checkPassword(nurse.username(), "wrong-password-" + i, BROWSER).outcome())
          .isEqualTo(Outcome.BAD_CREDENTIALS);
      clock.advance(Duration.ofMinutes(4)); // at most 4 failures in any 15 minutes
    }

    assertThat(signIn.checkPassword(nurse.username(), PASSWORD, BROWSER).outcome())
        .isEqualTo(Outcome.MFA_ENROLLMENT_REQUIRED);
  }

  @Test
  void lockoutWhenSecondFactorFailsFiveTimesThenLockedAndReenteringThePasswordDoesNotReset() {
    Account physician = workforce(Role.PHYSICIAN);
    byte[] secret = enrolled(physician);
    String wrongCode = totp.code(secret, clock.instant()).equals("000000") ? "111111" : "000000";

    SignInResult last = null;
    for (int i = 0; i < 5; i++) {
      String challenge =
          signIn.checkPassword(physician.username(), PASSWORD, BROWSER).challenge().orElseThrow();
      last = signIn.checkSecondFactor(challenge, wrongCode, BROWSER);
    }

    assertThat(last.outcome()).isEqualTo(Outcome.LOCKED);
    assertThat(signIn.checkPassword(physician.username(), PASSWORD, BROWSER).outcome())
        .isEqualTo(Outcome.LOCKED);
  }

  @Test
  void unlockWhenAdminUnlocksThenSignInWorksAtOnce() {
    Account nurse = workforce(Role.NURSE);
    for (int i = 0; i < 5; i++) {
      signIn.checkPassword(nurse.username(), "wrong-password-" + i, BROWSER);
    }
    assertThat(accounts.findById(nurse.id()).orElseThrow().status())
        .isEqualTo(AccountStatus.LOCKED);

    Account unlocked = accounts.unlock(nurse.username(), admin);

    assertThat(unlocked.status()).isEqualTo(AccountStatus.ACTIVE);
    assertThat(signIn.checkPassword(nurse.username(), PASSWORD, BROWSER).outcome())
        .isEqualTo(Outcome.MFA_ENROLLMENT_REQUIRED);
  }

  @Test
  void signInWhenDisabledThenRefusedUntilEnabledAndPendingChallengesEnd() {
    Account nurse = workforce(Role.NURSE);
    String pending =
        signIn.checkPassword(nurse.username(), PASSWORD, BROWSER).challenge().orElseThrow();

    accounts.disable(nurse.username(), "left the clinic", admin);
    SignInResult disabled = signIn.checkPassword(nurse.username(), PASSWORD, BROWSER);
    SignInResult wrong = signIn.checkPassword(nurse.username(), "wrong-password-1", BROWSER);
    SignInResult pendingAfter = signIn.confirmEnrollment(pending, "123456", BROWSER);
    accounts.enable(nurse.username(), admin);
    SignInResult enabled = signIn.checkPassword(nurse.username(), PASSWORD, BROWSER);

    assertThat(disabled.outcome()).isEqualTo(Outcome.DISABLED);
    assertThat(wrong.outcome()).isEqualTo(Outcome.DISABLED);
    assertThat(pendingAfter.outcome()).isEqualTo(Outcome.EXPIRED);
    assertThat(enabled.outcome()).isEqualTo(Outcome.MFA_ENROLLMENT_REQUIRED);
    assertThat(rows("select count(*) from user_account_history where account_id = ?", nurse.id()))
        .isEqualTo(3);
  }

  @Test
  void secondFactorWhenChallengeOlderThanFiveMinutesThenExpired() {
    Account physician = workforce(Role.PHYSICIAN);
    byte[] secret = enrolled(physician);
    String challenge =
        signIn.checkPassword(physician.username(), PASSWORD, BROWSER).challenge().orElseThrow();
    clock.advance(Duration.ofMinutes(5));

    assertThat(
            signIn
                .checkSecondFactor(challenge, totp.code(secret, clock.instant()), BROWSER)
                .outcome())
        .isEqualTo(Outcome.EXPIRED);
    assertThat(signIn.checkSecondFactor("not-a-challenge", "123456", BROWSER).outcome())
        .isEqualTo(Outcome.EXPIRED);
  }

  @Test
  void resetMfaWhenDoneThenNextSignInEnrollsAgainAndRecoveryCodesAreGone() {
    Account physician = workforce(Role.PHYSICIAN);
    enrolled(physician);

    Account reset = accounts.resetMfa(physician.username(), admin);

    assertThat(reset.mfaEnrolled()).isFalse();
    assertThat(
            rows(
                "select count(*) from user_account_recovery_code where account_id = ?",
                physician.id()))
        .isZero();
    assertThat(signIn.checkPassword(physician.username(), PASSWORD, BROWSER).outcome())
        .isEqualTo(Outcome.MFA_ENROLLMENT_REQUIRED);
  }

  @Test
  void changePasswordWhenCurrentIsRightAndNewIsStrongThenOnlyTheNewOneWorks() {
    Account patient = patient();
    String next = "orchid-meadow-copper-44";

    assertThatThrownBy(() -> accounts.changePassword(patient.id(), "wrong-password-1", next, admin))
        .hasMessage("the current password is not correct");
    assertThatThrownBy(
            () ->
                accounts.changePassword(
                    patient.id(), PASSWORD, patient.username() + "-2024-xyz", admin))
        .isInstanceOf(WeakPasswordException.class)
        .hasMessageContaining("it must not contain the username");
    accounts.changePassword(patient.id(), PASSWORD, next, admin);

    assertThat(signIn.checkPassword(patient.username(), PASSWORD, BROWSER).outcome())
        .isEqualTo(Outcome.BAD_CREDENTIALS);
    assertThat(signIn.checkPassword(patient.username(), next, BROWSER).outcome())
        .isEqualTo(Outcome.SIGNED_IN);
  }

  // ------------------------------------------------------------------ audit

  @Test
  void auditWhenSignInSucceedsAndFailsThenEventsCarryIpAndUserAgentButNoSecret() {
    Account physician = workforce(Role.PHYSICIAN);
    byte[] secret = enrolled(physician);
    String code = totp.code(secret, clock.instant());
    signIn.checkPassword(physician.username(), "wrong-password-1", BROWSER);
    String challenge =
        signIn.checkPassword(physician.username(), PASSWORD, BROWSER).challenge().orElseThrow();
    signIn.checkSecondFactor(challenge, code, BROWSER);
    accounts.disable(physician.username(), "audit test", admin);

    List<Map<String, Object>> events =
        jdbc.queryForList(
            "select action, outcome, actor_user, actor_role, source_ip, user_agent, outcome_reason"
                + " from audit_event where entity_id = ? order by seq",
            physician.id().toString());

    assertThat(events)
        .extracting(e -> e.get("action") + " " + e.get("outcome"))
        .containsExactly(
            "ACCOUNT_CREATE SUCCESS",
            "MFA_ENROLL SUCCESS",
            "LOGIN SUCCESS",
            "LOGIN_FAILED FAILURE",
            "MFA SUCCESS",
            "LOGIN SUCCESS",
            "ACCOUNT_DISABLE SUCCESS");
    for (Map<String, Object> e : events.subList(1, 6)) {
      assertThat(e.get("source_ip")).isEqualTo("192.0.2.17");
      assertThat(e.get("user_agent")).isEqualTo("Mozilla/5.0 (synthetic test browser)");
      assertThat(e.get("actor_user")).isEqualTo(physician.id().toString());
    }
    assertThat(events.get(3).get("outcome_reason")).isEqualTo("wrong password");
    assertThat(events.get(5).get("actor_role")).isEqualTo("physician");
    assertThat(events.get(6).get("actor_user")).isEqualTo("test-operator");
    assertThat(events.get(6).get("actor_role")).isEqualTo("operator");
    assertThat(events.get(6).get("outcome_reason")).isEqualTo("audit test");
    String log =
        jdbc.queryForObject("select string_agg(t::text, '|') from audit_event t", String.class);
    assertThat(log)
        .doesNotContain(PASSWORD)
        .doesNotContain("wrong-password-1")
        .doesNotContain(code)
        .doesNotContain(Totp.base32(secret));
  }

  @Test
  void auditWhenUsernameUnknownThenFailureWithoutActorAndLockoutIsRecorded() {
    String nobody = "nobody-" + faker.number().digits(8);
    long before = jdbc.queryForObject("select coalesce(max(seq), 0) from audit_event", Long.class);
    signIn.checkPassword(
        nobody, "wrong-password-1", new ClientInfo("198.51.100.4", "curl/8.0", null));
    Account nurse = workforce(Role.NURSE);
    for (int i = 0; i < 5; i++) {
      signIn.checkPassword(nurse.username(), "wrong-password-" + i, BROWSER);
    }

    List<Map<String, Object>> events =
        jdbc.queryForList(
            "select action, actor_user, source_ip, user_agent, outcome_reason, entity_id from audit_event"
                + " where seq > ? and action in ('LOGIN_FAILED', 'LOCKOUT') order by seq",
            before);

    assertThat(events.get(0))
        .containsEntry("action", "LOGIN_FAILED")
        .containsEntry("actor_user", null)
        .containsEntry("source_ip", "198.51.100.4")
        .containsEntry("user_agent", "curl/8.0")
        .containsEntry("outcome_reason", "unknown username");
    assertThat(events).extracting(e -> e.get("action")).last().isEqualTo("LOCKOUT");
    assertThat(events.get(events.size() - 1).get("entity_id")).isEqualTo(nurse.id().toString());
    assertThat(
            jdbc.queryForObject("select string_agg(t::text, '|') from audit_event t", String.class))
        .doesNotContain(nobody);
  }

  // ------------------------------------------------------------------ keys

  @Test
  void reencryptWhenKeyRotatedThenEveryAccountValueMovesToTheNewKeyAndStillOpens() {
    Account physician = workforce(Role.PHYSICIAN);
    byte[] secret = enrolled(physician);
    String name = accounts.findById(physician.id()).orElseThrow().displayName().orElseThrow();
    assertThat(accounts.remaining()).isZero();

    server.context().getBean(KeyAdministration.class).rotate();
    long old = accounts.remaining();
    long moved = accounts.reencrypt();

    assertThat(old).isGreaterThanOrEqualTo(2);
    assertThat(moved).isEqualTo(old);
    assertThat(accounts.remaining()).isZero();
    assertThat(accounts.findById(physician.id()).orElseThrow().displayName()).contains(name);
    String challenge =
        signIn.checkPassword(physician.username(), PASSWORD, BROWSER).challenge().orElseThrow();
    assertThat(
            signIn
                .checkSecondFactor(challenge, totp.code(secret, clock.instant()), BROWSER)
                .outcome())
        .isEqualTo(Outcome.SIGNED_IN);
  }
}
