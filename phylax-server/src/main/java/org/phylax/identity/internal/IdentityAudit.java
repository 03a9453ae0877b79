package org.phylax.identity.internal;

import java.util.UUID;
import org.phylax.audit.AuditAction;
import org.phylax.audit.AuditEvent;
import org.phylax.audit.AuditLog;
import org.phylax.identity.Actor;
import org.phylax.identity.ClientInfo;

/**
 * The identity module's audit events. The entity is the account ({@code UserAccount/<id>}); the
 * actor is the user signing in (by account id; none when the username is unknown, since what was
 * typed might be a password) or the administrator, operator or task making a change. Reasons are
 * fixed words, never a password, code or secret.
 */
final class IdentityAudit {

  static final String ENTITY = AccountStore.TYPE;

  private final AuditLog log;

  IdentityAudit(AuditLog log) {
    this.log = log;
  }

  /** An event about a sign-in by the account's own user. */
  void signIn(
      AuditAction action,
      AuditEvent.Outcome outcome,
      UUID account,
      String roles,
      ClientInfo client,
      String reason) {
    log.record(
        AuditEvent.builder(action, outcome)
            .actor(account == null ? null : account.toString(), roles, null)
            .source(client.ip(), client.userAgent(), client.requestId())
            .entity(ENTITY, account == null ? null : account.toString(), null)
            .reason(reason)
            .build());
  }

  /** An administrative change of an account by {@code actor}. */
  void change(
      AuditAction action,
      AuditEvent.Outcome outcome,
      Actor actor,
      UUID account,
      Long version,
      String reason) {
    ClientInfo client = actor.client();
    log.record(
        AuditEvent.builder(action, outcome)
            .actor(actor.id(), actor.role(), null)
            .source(client.ip(), client.userAgent(), client.requestId())
            .entity(ENTITY, account == null ? null : account.toString(), version)
            .reason(reason)
            .build());
  }
}
