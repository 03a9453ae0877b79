package org.phylax.records;

/**
 * A stored body failed its integrity check when decrypted: it was altered, copied from another row
 * or version, or sealed under a key the keyring no longer holds. The store reports this instead of
 * returning data; the message names the resource and version only.
 */
public class RecordIntegrityException extends RuntimeException {

  public RecordIntegrityException(String message, Throwable cause) {
    super(message, cause);
  }
}
