package org.phylax.bench;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Patient;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.phylax.crypto.FieldCipher;
import org.phylax.crypto.FieldContext;
import org.phylax.crypto.Keyring;

/**
 * For comparison with {@link FieldCipherBenchmark}: what HAPI FHIR costs to parse and serialize a
 * typical Patient (the record store does both on every write and read), and the same round trip
 * with the encryption the store adds, so the share of encryption in a store round trip is visible.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FhirJsonBenchmark {

  private IParser parser;
  private String json;
  private Patient patient;
  private FieldCipher cipher;
  private FieldContext context;

  @Setup
  public void setUp() {
    FhirContext fhir = FhirContext.forR4();
    parser = fhir.newJsonParser();
    patient = new Patient();
    patient.setId("5f0c8a4e-2b7d-4c1e-9a3f-7d6e5c4b3a21");
    patient.addIdentifier().setSystem("urn:oid:2.16.840.1.113883.4.1").setValue("999-00-1234");
    patient.addIdentifier().setSystem("https://phylax.example/mrn").setValue("MRN-0042-7781");
    patient.addName().setFamily("Synthwell").addGiven("Ottilie").addGiven("Marguerite");
    patient.setGender(Enumerations.AdministrativeGender.FEMALE);
    patient.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1961-07-14"));
    patient.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setValue("555-0100");
    patient
        .addTelecom()
        .setSystem(ContactPoint.ContactPointSystem.EMAIL)
        .setValue("ottilie.synthwell@example.org");
    patient.addAddress(
        new Address()
            .addLine("1204 Fictional Lane")
            .setCity("Sampleton")
            .setState("MA")
            .setPostalCode("01999"));
    json = parser.encodeResourceToString(patient);
    cipher = Keyring.generate().fieldCipher();
    context = FieldContext.of("Patient", patient.getIdElement().getIdPart(), 1, "body");
  }

  @Benchmark
  public String serialize() {
    return parser.encodeResourceToString(patient);
  }

  @Benchmark
  public Patient parse() {
    return parser.parseResource(Patient.class, json);
  }

  /** What the store does per write and read: serialize, encrypt, decrypt, parse. */
  @Benchmark
  public Patient storeRoundTrip() {
    byte[] sealed =
        cipher.encrypt(
            parser
                .encodeResourceToString(patient)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8),
            context);
    String opened =
        new String(cipher.decrypt(sealed, context), java.nio.charset.StandardCharsets.UTF_8);
    return parser.parseResource(Patient.class, opened);
  }
}
