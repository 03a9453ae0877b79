package org.phylax.records;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import net.datafaker.Faker;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.phylax.crypto.Normalizers;

/**
 * Synthetic patients from datafaker with a fixed seed, so every run writes the same people. None of
 * them is real.
 *
 * <p>Every generated value that is searched for in the raw database is at least {@link
 * #MIN_SEARCHED_BYTES} long: a shorter string turns up by chance in megabytes of ciphertext (a
 * given 4-byte string about once per 4 GB, a 3-byte one once per 16 MB), and a chance match would
 * say nothing about a leak. So names and cities are drawn until long enough, postal codes are
 * ZIP+4, and dates lie before any day the test could run (system timestamps in the logs are
 * today's).
 */
final class SyntheticPatients {

  static final int MIN_SEARCHED_BYTES = 5;

  private static final DateTimeFormatter US = DateTimeFormatter.ofPattern("MM/dd/yyyy");

  private final Faker faker;

  SyntheticPatients(long seed) {
    this.faker = new Faker(Locale.US, new Random(seed));
  }

  /** One person's PHI as written, plus the resources that carry it. */
  static final class Person {
    String given;
    String family;
    String mrn;
    String ssn;
    String phone;
    String email;
    String street;
    String city;
    String state;
    String zip;
    LocalDate birthDate;
    final List<LocalDate> clinicalDates = new ArrayList<>();
    UUID id;

    /** Every PHI value of this person in the forms a leak could take: as written and normalized. */
    List<String> searchedValues() {
      List<String> values = new ArrayList<>();
      values.add(given);
      values.add(family);
      values.add(given + " " + family);
      values.add(Normalizers.name(given));
      values.add(Normalizers.name(family));
      values.add(mrn);
      values.add(Normalizers.identifier(mrn));
      values.add(ssn);
      values.add(Normalizers.identifier(ssn));
      values.add(phone);
      values.add(Normalizers.phone(phone, "US"));
      values.add(email);
      values.add(street);
      values.add(city);
      values.add(zip);
      values.add(Normalizers.identifier(zip));
      for (LocalDate date : dates()) {
        values.add(date.toString());
        values.add(date.format(US));
      }
      return values;
    }

    List<LocalDate> dates() {
      List<LocalDate> dates = new ArrayList<>();
      dates.add(birthDate);
      dates.addAll(clinicalDates);
      return dates;
    }

    @Override
    public String toString() {
      return "Person[id=" + id + ", values=***]";
    }
  }

  Person next() {
    Person p = new Person();
    p.given = longEnough(() -> faker.name().firstName());
    p.family = longEnough(() -> faker.name().lastName());
    p.mrn = "MRN-" + faker.number().digits(8);
    p.ssn = faker.idNumber().ssnValid();
    p.phone = faker.phoneNumber().cellPhone();
    p.email = faker.internet().emailAddress();
    p.street = faker.address().streetAddress();
    p.city = longEnough(() -> faker.address().city());
    p.state = faker.address().stateAbbr();
    p.zip = faker.address().zipCodePlus4();
    p.birthDate = LocalDate.of(1930, 1, 1).plusDays(faker.number().numberBetween(0, 27000));
    for (int i = 0; i < 3; i++) {
      p.clinicalDates.add(LocalDate.of(2010, 1, 1).plusDays(faker.number().numberBetween(0, 3650)));
    }
    return p;
  }

  static Patient patient(Person p) {
    Patient patient = new Patient();
    patient.addIdentifier().setSystem("urn:phylax:mrn").setValue(p.mrn);
    patient.addIdentifier().setSystem("http://hl7.org/fhir/sid/us-ssn").setValue(p.ssn);
    patient.addName().setFamily(p.family).addGiven(p.given);
    patient.setGender(Enumerations.AdministrativeGender.UNKNOWN);
    patient.setBirthDateElement(new DateType(p.birthDate.toString()));
    patient.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setValue(p.phone);
    patient.addTelecom().setSystem(ContactPoint.ContactPointSystem.EMAIL).setValue(p.email);
    patient
        .addAddress()
        .setLine(List.of(new StringType(p.street)))
        .setCity(p.city)
        .setState(p.state)
        .setPostalCode(p.zip);
    return patient;
  }

  /** An observation, a condition and a medication request, dated with the person's dates. */
  static List<Resource> clinical(Person p) {
    Reference subject = new Reference("Patient/" + p.id);
    Observation heartRate = new Observation();
    heartRate.setStatus(Observation.ObservationStatus.FINAL);
    heartRate.setSubject(subject);
    heartRate.setCode(new CodeableConcept(new Coding("http://loinc.org", "8867-4", "Heart rate")));
    heartRate.setEffective(new DateTimeType(p.clinicalDates.get(0).toString()));
    heartRate.setValue(new Quantity().setValue(72).setUnit("/min"));

    Condition condition = new Condition();
    condition.setSubject(subject);
    condition.setCode(
        new CodeableConcept(new Coding("http://snomed.info/sct", "38341003", "Hypertension")));
    condition.setOnset(new DateTimeType(p.clinicalDates.get(1).toString()));

    MedicationRequest prescription = new MedicationRequest();
    prescription.setStatus(MedicationRequest.MedicationRequestStatus.ACTIVE);
    prescription.setIntent(MedicationRequest.MedicationRequestIntent.ORDER);
    prescription.setSubject(subject);
    prescription.setMedication(
        new CodeableConcept(
            new Coding("http://www.nlm.nih.gov/research/umls/rxnorm", "197361", "Amlodipine")));
    prescription.setAuthoredOnElement(new DateTimeType(p.clinicalDates.get(2).toString()));
    return List.of(heartRate, condition, prescription);
  }

  private static String longEnough(java.util.function.Supplier<String> draw) {
    while (true) {
      String value = draw.get();
      if (value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= MIN_SEARCHED_BYTES) {
        return value;
      }
    }
  }
}
