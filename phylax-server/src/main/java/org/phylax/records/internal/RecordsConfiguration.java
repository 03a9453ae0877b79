package org.phylax.records.internal;

import ca.uhn.fhir.context.FhirContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class RecordsConfiguration {

  /**
   * The one FHIR R4 context of the application: building it scans the whole model (seconds and
   * megabytes), while parsers made from it are cheap, so every parse and encode shares this one.
   */
  @Bean
  FhirContext fhirContext() {
    return FhirContext.forR4();
  }
}
