package org.phylax.alerts;

import java.util.UUID;

/** There is no alert with the id asked for. */
public class AlertNotFoundException extends RuntimeException {
  public AlertNotFoundException(UUID id) {
    super("there is no alert " + id);
  }
}
