package org.phylax.records;

import java.util.Set;

/**
 * The PHI search parameters, with FHIR's names. Each is stored only as blind-index tokens of the
 * normalized value (dates also with their year in clear), so a search compares tokens and then
 * confirms each candidate against its decrypted value.
 */
public enum SearchParameter {
  /** Patient.identifier value (MRN, SSN …): separators removed, upper case. */
  IDENTIFIER("identifier", Kind.IDENTIFIER, Set.of("Patient")),
  /** Patient.name.family, whole and word by word: case and diacritics folded. */
  FAMILY("family", Kind.NAME, Set.of("Patient")),
  /** Patient.name.given, each given name: case and diacritics folded. */
  GIVEN("given", Kind.NAME, Set.of("Patient")),
  /** Any family or given name. */
  NAME("name", Kind.NAME, Set.of("Patient")),
  /** Patient.birthDate, exact (yyyy-MM-dd) or as a range. */
  BIRTHDATE("birthdate", Kind.DATE, Set.of("Patient")),
  /** Patient.telecom phone numbers, compared in E.164 (US when written without country code). */
  PHONE("phone", Kind.PHONE, Set.of("Patient")),
  /** Patient.telecom e-mail addresses, case-insensitive. */
  EMAIL("email", Kind.EMAIL, Set.of("Patient")),
  /** Patient.address.postalCode; a US ZIP+4 is also found by its five-digit ZIP. */
  ADDRESS_POSTALCODE("address-postalcode", Kind.IDENTIFIER, Set.of("Patient")),
  /** The main code of a clinical resource: {@code system|code}, or {@code code} alone. */
  CODE("code", Kind.CODE, ClinicalTypes.ALL),
  /** The main date of a clinical resource (effective, onset, authored …), exact or as a range. */
  DATE("date", Kind.DATE, ClinicalTypes.ALL);

  /** How values of a parameter are normalized. */
  public enum Kind {
    IDENTIFIER,
    NAME,
    DATE,
    PHONE,
    EMAIL,
    CODE
  }

  private final String code;
  private final Kind kind;
  private final Set<String> resourceTypes;

  SearchParameter(String code, Kind kind, Set<String> resourceTypes) {
    this.code = code;
    this.kind = kind;
    this.resourceTypes = resourceTypes;
  }

  /** The FHIR search parameter name. */
  public String code() {
    return code;
  }

  public Kind kind() {
    return kind;
  }

  /** The resource types this parameter searches. */
  public Set<String> resourceTypes() {
    return resourceTypes;
  }

  public boolean appliesTo(String resourceType) {
    return resourceTypes.contains(resourceType);
  }

  /** The clinical resource types the store accepts besides Patient, searchable by code and date. */
  public static final class ClinicalTypes {
    public static final Set<String> ALL =
        Set.of(
            "Observation",
            "Condition",
            "Procedure",
            "MedicationRequest",
            "Immunization",
            "AllergyIntolerance",
            "Encounter",
            "DiagnosticReport");

    private ClinicalTypes() {}
  }

  /**
   * Resource types of a patient's record that are not searched by code or date: who cares for the
   * patient (CareTeam), what the patient agreed to (Consent) and their insurance (Coverage).
   */
  public static final class CompartmentTypes {
    public static final Set<String> ALL = Set.of("CareTeam", "Consent", "Coverage");

    private CompartmentTypes() {}
  }

  /**
   * Directory resource types: the workforce and places of the organization. They belong to no
   * patient and hold no PHI.
   */
  public static final class DirectoryTypes {
    public static final Set<String> ALL =
        Set.of("Practitioner", "PractitionerRole", "Organization", "Location");

    private DirectoryTypes() {}
  }
}
