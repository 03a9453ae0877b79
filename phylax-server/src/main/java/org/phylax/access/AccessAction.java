package org.phylax.access;

/** What a request does to a patient's record, as the role table of the access policy knows it. */
public enum AccessAction {
  READ,
  SEARCH,
  CREATE,
  UPDATE,
  DELETE,
  EXPORT;

  /** Whether the action changes the record. */
  public boolean writes() {
    return this == CREATE || this == UPDATE || this == DELETE;
  }
}
