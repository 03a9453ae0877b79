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
    return fhirR4();
  }

  /**
   * The context with one parser option changed from HAPI's default: a reference that carries a
   * resource object without an id is written as the reference it names, and the object is not
   * copied into the resource as a contained one. Nothing here contains resources that way (a stored
   * resource holds what its client sent, contained resources included), and the search for such
   * references walked every element of every resource encoded: about 5 % of the server's CPU under
   * load.
   */
  static FhirContext fhirR4() {
    FhirContext fhir = FhirContext.forR4();
    fhir.getParserOptions().setAutoContainReferenceTargetsWithNoId(false);
    return fhir;
  }
}
