package org.phylax.alerts;

import java.util.UUID;

/** The alert was acknowledged before; an acknowledgement is never overwritten. */
public class AlertAlreadyAcknowledgedException extends RuntimeException {
  public AlertAlreadyAcknowledgedException(UUID id) {
    super("alert " + id + " was already acknowledged");
  }
}
