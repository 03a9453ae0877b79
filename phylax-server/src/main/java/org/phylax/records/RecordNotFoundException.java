package org.phylax.records;

/** There is no such resource or version. Carries only the resource's type, id and version. */
public class RecordNotFoundException extends RuntimeException {

  public RecordNotFoundException(String message) {
    super(message);
  }
}
