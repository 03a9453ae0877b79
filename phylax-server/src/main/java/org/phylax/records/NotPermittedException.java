package org.phylax.records;

/**
 * The permit given covers another patient than the resource's. Names the permit's actor and the
 * resource, never its content.
 */
public class NotPermittedException extends RuntimeException {

  public NotPermittedException(String message) {
    super(message);
  }
}
