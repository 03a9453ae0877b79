package org.phylax;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

class ModularityTests {

  @Test
  void modulesWhenVerifiedThenNoCyclesAndNoReachingIntoInternals() {
    ApplicationModules.of(PhylaxApplication.class).verify();
  }
}
