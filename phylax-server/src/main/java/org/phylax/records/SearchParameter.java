package org.phylax.records;

import java.util.Set;

/**
 * The PHI search parameters, with FHIR's names. Each is stored only as blind-index tokens of the
 * normalized value (dates also with their year in clear), so a search compares tokens and then
 * confirms each candidate against its decrypted value.
 */
public enum SearchParameter {
  /**
   * The identifier value (a Patient's MRN, SSN …; a Practitioner's NPI, an Organization's or
   * Location's id in another system): separators removed, upper case. Written {@code system|value},
   * {@code |value} (an identifier without system) or {@code value} (any system). Directory
   * identifiers are not PHI, but are kept as blind tokens all the same, so that one mechanism
   * serves every type (conditional references such as {@code Practitioner?identifier=…} resolve
   * through it).
   */
  IDENTIFIER(
      "identifier",
      Kind.IDENTIFIER,
      Set.of("Patient", "Practitioner", "PractitionerRole", "Organization", "Location")),
  /**
   * Patient.name.family, whole and word by word: case and diacritics folded. A string parameter:
   * {@link RecordStore#searchText} finds it by prefix or exactly.
   */
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
  /** Patient.gender, the code ({@code female}, {@code male}, {@code other}, {@code unknown}). */
  GENDER("gender", Kind.TOKEN, Set.of("Patient")),
  /**
   * Patient.generalPractitioner: {@code Practitioner/<id>}, {@code PractitionerRole/<id>} or {@code
   * Organization/<id>}.
   */
  GENERAL_PRACTITIONER("general-practitioner", Kind.REFERENCE, Set.of("Patient")),
  /**
   * The {@code status} code of a resource (Observation.status, Appointment.status …), for the types
   * that have one as a single code.
   */
  STATUS(
      "status",
      Kind.TOKEN,
      Set.of(
          "Encounter",
          "Observation",
          "MedicationRequest",
          "MedicationStatement",
          "MedicationAdministration",
          "Procedure",
          "Immunization",
          "DiagnosticReport",
          "DocumentReference",
          "ImagingStudy",
          "CarePlan",
          "SupplyDelivery",
          "CareTeam",
          "Consent",
          "Coverage",
          "Claim",
          "ExplanationOfBenefit",
          "Appointment",
          "Device")),
  /** The {@code encounter} reference of a resource: {@code Encounter/<id>} or {@code <id>}. */
  ENCOUNTER(
      "encounter",
      Kind.REFERENCE,
      Set.of(
          "Observation",
          "Condition",
          "Procedure",
          "MedicationRequest",
          "DiagnosticReport",
          "CarePlan",
          "CareTeam")),
  /** Appointment.participant.actor: any participant, as {@code <Type>/<id>}. */
  ACTOR("actor", Kind.REFERENCE, Set.of("Appointment")),
  /**
   * The main code of a resource (docs/records.md lists the element of each type): {@code
   * system|code}, {@code |code} (a coding without system) or {@code code} (any system).
   */
  CODE(
      "code",
      Kind.CODE,
      Set.of(
          "Encounter",
          "Observation",
          "Condition",
          "AllergyIntolerance",
          "MedicationRequest",
          "MedicationStatement",
          "MedicationAdministration",
          "Procedure",
          "Immunization",
          "DiagnosticReport",
          "DocumentReference",
          "ImagingStudy",
          "CarePlan",
          "Goal",
          "SupplyDelivery",
          "CareTeam",
          "Consent",
          "Coverage",
          "Claim",
          "ExplanationOfBenefit",
          "Appointment",
          "Device",
          "Medication")),
  /**
   * The main date of a resource (effective, onset, authored, created …; docs/records.md lists the
   * element of each type), exact or as a range.
   */
  DATE(
      "date",
      Kind.DATE,
      Set.of(
          "Encounter",
          "Observation",
          "Condition",
          "AllergyIntolerance",
          "MedicationRequest",
          "MedicationStatement",
          "MedicationAdministration",
          "Procedure",
          "Immunization",
          "DiagnosticReport",
          "DocumentReference",
          "ImagingStudy",
          "CarePlan",
          "Goal",
          "SupplyDelivery",
          "CareTeam",
          "Consent",
          "Coverage",
          "Claim",
          "ExplanationOfBenefit",
          "Appointment",
          "Provenance"));

  /** How values of a parameter are normalized. */
  public enum Kind {
    IDENTIFIER,
    NAME,
    DATE,
    PHONE,
    EMAIL,
    CODE,
    /** A code compared as written, lower case ({@code status}, {@code gender}). */
    TOKEN,
    /** A reference to a stored resource, {@code <Type>/<Phylax id>}. */
    REFERENCE
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

  /**
   * Whether this is a FHIR string parameter searched by prefix or exactly with {@link
   * RecordStore#searchText}: {@code family}, {@code given}, {@code name}.
   */
  public boolean isString() {
    return kind == Kind.NAME;
  }

  /**
   * The resource types of a patient's care, besides Patient: each belongs to the one patient its
   * subject (or patient) element names, which must be a stored Patient.
   */
  public static final class ClinicalTypes {
    public static final Set<String> ALL =
        Set.of(
            "Encounter",
            "Observation",
            "Condition",
            "AllergyIntolerance",
            "MedicationRequest",
            "MedicationStatement",
            "MedicationAdministration",
            "Procedure",
            "Immunization",
            "DiagnosticReport",
            "DocumentReference",
            "ImagingStudy",
            "CarePlan",
            "Goal",
            "SupplyDelivery");

    private ClinicalTypes() {}
  }

  /**
   * Resource types of a patient's record that are about the care's administration rather than the
   * care: who cares for the patient (CareTeam), what the patient agreed to (Consent), insurance and
   * billing (Coverage, Claim, ExplanationOfBenefit), appointments, where a record came from
   * (Provenance, whose patient is that of its targets) and devices (a Device without {@code
   * patient} belongs to no patient).
   */
  public static final class CompartmentTypes {
    public static final Set<String> ALL =
        Set.of(
            "CareTeam",
            "Consent",
            "Coverage",
            "Claim",
            "ExplanationOfBenefit",
            "Appointment",
            "Provenance",
            "Device");

    private CompartmentTypes() {}
  }

  /**
   * Directory and catalog resource types: the workforce, places, medicines and the workforce's
   * schedules, which belong to no patient and hold no PHI; and Group, a list of patients that
   * belongs to no single one of them (its members are references only, and the access policy keeps
   * it from the roles that see no clinical data).
   */
  public static final class DirectoryTypes {
    public static final Set<String> ALL =
        Set.of(
            "Practitioner",
            "PractitionerRole",
            "Organization",
            "Location",
            "Medication",
            "Schedule",
            "Slot",
            "Group");

    private DirectoryTypes() {}
  }
}
