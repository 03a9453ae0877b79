package org.phylax.access;

/**
 * Decides whether a request may act on a patient's record: from the user's relationship to the
 * patient (assignment, care team, consent, an emergency grant) and their roles (minimum necessary),
 * denying by default. Decisions are not cached: a removed care-team member or a new Consent denial
 * counts from the very next request. It does not write the audit log; {@link AccessGate} does,
 * around it.
 */
public interface AccessPolicy {

  Decision decide(AccessRequest request);
}
