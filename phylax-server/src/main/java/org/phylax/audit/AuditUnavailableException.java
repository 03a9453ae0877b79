package org.phylax.audit;

/**
 * An audit event could not be made durable. Whatever the caller was about to do must not happen:
 * the HTTP layer answers 503.
 */
public final class AuditUnavailableException extends RuntimeException {

  public AuditUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
