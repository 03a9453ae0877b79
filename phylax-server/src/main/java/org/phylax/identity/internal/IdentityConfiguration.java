package org.phylax.identity.internal;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import org.phylax.audit.AuditLog;
import org.phylax.keys.DataKeys;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Wires the identity module. The parts are plain classes so that tests can assemble them the same
 * way with a clock of their own ({@link Identity#assemble}).
 */
@Configuration(proxyBeanMethods = false)
class IdentityConfiguration {

  @Bean
  Identity identity(
      JdbcTemplate jdbc,
      TransactionTemplate tx,
      DataKeys keys,
      AuditLog audit,
      ObjectProvider<Clock> clock,
      @Value("${phylax.identity.lockout.max-failures:5}") int maxFailures,
      @Value("${phylax.identity.lockout.window:15m}") Duration window,
      @Value("${phylax.identity.lockout.duration:15m}") Duration duration) {
    return Identity.assemble(
        jdbc,
        tx,
        keys,
        audit,
        new LockoutRules(maxFailures, window, duration),
        clock.getIfAvailable(Clock::systemUTC));
  }

  @Bean
  JdbcAccounts accounts(Identity identity) {
    return identity.accounts();
  }

  @Bean
  JdbcSignIn signIn(Identity identity) {
    return identity.signIn();
  }

  @Bean
  CommonPasswordPolicy passwordPolicy(Identity identity) {
    return identity.policy();
  }

  /** The module's parts, assembled once. */
  record Identity(JdbcAccounts accounts, JdbcSignIn signIn, CommonPasswordPolicy policy) {

    static Identity assemble(
        JdbcTemplate jdbc,
        TransactionTemplate tx,
        DataKeys keys,
        AuditLog log,
        LockoutRules rules,
        Clock clock) {
      SecureRandom random = new SecureRandom();
      AccountStore store = new AccountStore(jdbc, keys);
      Argon2Passwords passwords = new Argon2Passwords();
      CommonPasswordPolicy policy = new CommonPasswordPolicy();
      IdentityAudit audit = new IdentityAudit(log);
      Totp totp = new Totp(random);
      Lockout lockout = new Lockout(store, tx, audit, rules, clock);
      MfaEnrollment mfa =
          new MfaEnrollment(store, tx, totp, new RecoveryCodeHashing(random), clock);
      return new Identity(
          new JdbcAccounts(store, tx, passwords, policy, mfa, lockout, audit, random, clock),
          new JdbcSignIn(store, passwords, totp, mfa, lockout, audit, clock),
          policy);
    }
  }
}
