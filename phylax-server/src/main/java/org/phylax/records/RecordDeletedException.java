package org.phylax.records;

/** The resource was deleted (HTTP 410 Gone in the FHIR API). Carries only its type and id. */
public class RecordDeletedException extends RuntimeException {

  public RecordDeletedException(String message) {
    super(message);
  }
}
