package org.phylax.records;

/**
 * An update named a version that is no longer current: someone else wrote first (HTTP 409/412 in
 * the FHIR API). The caller re-reads and retries.
 */
public class VersionConflictException extends RuntimeException {

  public VersionConflictException(String message) {
    super(message);
  }
}
