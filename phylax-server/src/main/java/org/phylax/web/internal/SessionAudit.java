package org.phylax.web.internal;

import jakarta.servlet.http.HttpServletRequest;
import org.phylax.audit.AuditAction;
import org.phylax.audit.AuditEvent;
import org.phylax.audit.AuditLog;
import org.phylax.identity.ClientInfo;
import org.phylax.platform.RequestLog;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;

/**
 * The audit events of web sessions that end: {@code LOGOUT}/{@code SUCCESS} with the account as
 * actor and entity ({@code UserAccount/<id>}, as the identity module names accounts) and the
 * reason: signed out, idle timeout, absolute lifetime, account disabled or locked. Sign-in attempts
 * are audited by the identity module itself.
 */
@Component
class SessionAudit {

  static final String ENTITY = "UserAccount";
  private static final int MAX_USER_AGENT = 512;

  private final AuditLog log;

  SessionAudit(AuditLog log) {
    this.log = log;
  }

  /** A session of {@code accountId} ended; {@code client} is the request that found out, if any. */
  void ended(String accountId, String roles, ClientInfo client, String reason) {
    log.record(
        AuditEvent.builder(AuditAction.LOGOUT, AuditEvent.Outcome.SUCCESS)
            .actor(accountId, roles, null)
            .source(client.ip(), client.userAgent(), client.requestId())
            .entity(ENTITY, accountId, null)
            .reason(reason)
            .build());
  }

  /** Where a request came from, for the audit log: IP address, user agent, request id. */
  static ClientInfo clientOf(HttpServletRequest request) {
    String agent = request.getHeader("User-Agent");
    if (agent != null && agent.length() > MAX_USER_AGENT) {
      agent = agent.substring(0, MAX_USER_AGENT);
    }
    // The request log's filter runs first and puts the request's id in the MDC.
    return new ClientInfo(request.getRemoteAddr(), agent, MDC.get(RequestLog.REQUEST_ID_MDC_KEY));
  }
}
