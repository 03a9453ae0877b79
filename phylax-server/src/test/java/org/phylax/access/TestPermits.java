package org.phylax.access;

import java.util.UUID;

/**
 * Permits for one patient, for tests of the modules that take permits, until the access policy
 * makes them from real relationships. Lives in the access package because only it may make one.
 */
public final class TestPermits {

  private TestPermits() {}

  public static Permit clinicianOf(UUID patient) {
    if (patient == null) {
      throw new IllegalArgumentException("a patient permit names its patient");
    }
    return new Permit("user:test-clinician", Permit.Reason.ASSIGNED, "treatment", patient);
  }
}
