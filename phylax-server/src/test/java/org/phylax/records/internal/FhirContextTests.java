package org.phylax.records.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

/** The application's FHIR context encodes what a resource holds and copies in nothing else. */
class FhirContextTests {

  private final FhirContext fhir = RecordsConfiguration.fhirR4();

  @Test
  void encodeWhenReferenceCarriesAnObjectWithoutIdThenTheReferenceIsWrittenAndNothingContained() {
    Patient attached = new Patient();
    attached.addName().setFamily("Quillfeather");
    Observation o = new Observation();
    o.setStatus(Observation.ObservationStatus.FINAL);
    o.setSubject(new Reference("Patient/7f1c0a52-9d44-4c8e-a1f0-3b6d2e9c5a10"));
    o.getSubject().setResource(attached);

    String json = fhir.newJsonParser().encodeResourceToString(o);

    assertThat(json)
        .contains("\"reference\":\"Patient/7f1c0a52-9d44-4c8e-a1f0-3b6d2e9c5a10\"")
        .doesNotContain("contained")
        .doesNotContain("Quillfeather");
  }

  @Test
  void encodeWhenContainedResourcesAreHeldThenTheyAreStillWritten() {
    Patient contained = new Patient();
    contained.setId("#p1");
    contained.addName().setFamily("Quillfeather");
    Observation o = new Observation();
    o.setStatus(Observation.ObservationStatus.FINAL);
    o.getContained().add(contained);
    o.setSubject(new Reference("#p1"));

    String json = fhir.newJsonParser().encodeResourceToString(o);

    assertThat(json).contains("\"contained\"").contains("Quillfeather").contains("\"#p1\"");
    Observation back = fhir.newJsonParser().parseResource(Observation.class, json);
    assertThat(back.getContained()).hasSize(1);
  }
}
