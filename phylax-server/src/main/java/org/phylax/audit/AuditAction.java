package org.phylax.audit;

/** What was done, in the vocabulary of FHIR interactions plus security and administration. */
public enum AuditAction {
  CREATE,
  READ,
  VREAD,
  UPDATE,
  DELETE,
  SEARCH,
  HISTORY,
  EXPORT,
  /**
   * PHI sent out of Phylax to someone outside it by Phylax itself, e.g. an appointment reminder
   * emailed to the patient: the entity is the resource the message was made from.
   */
  DISCLOSE,
  LOGIN,
  LOGIN_FAILED,
  MFA,
  LOGOUT,
  LOCKOUT,
  BREAK_GLASS,
  ADMIN,
  AUDIT_READ,
  ACCOUNT_CREATE,
  ACCOUNT_DISABLE,
  ACCOUNT_ENABLE,
  ACCOUNT_UNLOCK,
  MFA_ENROLL,
  MFA_RESET,
  PASSWORD_CHANGE
}
