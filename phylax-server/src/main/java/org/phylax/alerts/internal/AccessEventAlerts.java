package org.phylax.alerts.internal;

import java.util.Set;
import java.util.UUID;
import org.phylax.access.AccessDenied;
import org.phylax.access.BreakGlassOpened;
import org.phylax.access.Denial;
import org.phylax.alerts.Alert;
import org.phylax.identity.Account;
import org.phylax.identity.Accounts;
import org.phylax.identity.Role;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Raises an alert for each event of the access module, synchronously, as it is published: a refused
 * access is MEDIUM (HIGH when a Consent of the patient refused it), an emergency access is HIGH.
 *
 * <p>The alert is written in a transaction of its own, so that it neither joins nor can spoil a
 * transaction of the publisher. A failure to store it is logged (ids only) and not thrown: the
 * request it reports has been decided and audited already, a refused request stays refused, and an
 * emergency access must not fail because monitoring did; the audit log still holds the event.
 */
@Component
class AccessEventAlerts {

  private static final Logger log = LoggerFactory.getLogger(AccessEventAlerts.class);

  private final JdbcAlerts alerts;
  private final Accounts accounts;
  private final TransactionTemplate ownTransaction;

  AccessEventAlerts(JdbcAlerts alerts, Accounts accounts, PlatformTransactionManager transactions) {
    this.alerts = alerts;
    this.accounts = accounts;
    this.ownTransaction = new TransactionTemplate(transactions);
    this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
  }

  @EventListener
  void on(AccessDenied event) {
    Alert alert =
        Alert.builder(
                UUID.randomUUID(),
                event.at(),
                event.rule() == Denial.Rule.CONSENT_DENIED
                    ? Alert.Severity.HIGH
                    : Alert.Severity.MEDIUM,
                Alert.Kind.ACCESS_DENIED)
            .who(event.accountId(), event.actor(), event.roles(), event.sourceIp())
            .what(event.patientId(), event.resourceType(), event.action())
            .rule(event.rule())
            .build();
    store(alert);
  }

  @EventListener
  void on(BreakGlassOpened event) {
    // The event names the account only; the alert shows the roles it had when the glass broke.
    Set<String> roles =
        event.accountId() == null
            ? Set.of()
            : accounts
                .findById(event.accountId())
                .map(Account::roles)
                .map(r -> Set.copyOf(r.stream().map(Role::key).toList()))
                .orElse(Set.of());
    Alert alert =
        Alert.builder(UUID.randomUUID(), event.at(), Alert.Severity.HIGH, Alert.Kind.BREAK_GLASS)
            .who(
                event.accountId(),
                event.accountId() == null ? null : event.accountId().toString(),
                roles,
                null)
            .what(event.patientId(), null, null)
            .grant(event.grantId(), event.expiresAt(), event.overridesConsentDenial())
            .build();
    store(alert);
  }

  private void store(Alert alert) {
    try {
      ownTransaction.executeWithoutResult(s -> alerts.raise(alert));
    } catch (RuntimeException e) {
      log.error(
          "Alert {} ({} {}) could not be stored: {}",
          alert.id(),
          alert.severity(),
          alert.kind(),
          e.getClass().getSimpleName());
    }
  }
}
