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
