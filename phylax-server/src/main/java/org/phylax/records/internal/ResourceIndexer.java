package org.phylax.records.internal;

import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Immunization;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Type;
import org.phylax.crypto.Normalizers;
import org.phylax.records.SearchParameter;

/**
 * What the store needs to know about a resource besides its body: which patient it belongs to and
 * its searchable values, normalized. One place per resource type says which element is its patient
 * reference, its main code and its main date.
 */
final class ResourceIndexer {

  /** Phone numbers written without a country code are read as US numbers. */
  static final String PHONE_REGION = "US";

  private static final Pattern WORDS = Pattern.compile(" ");
  private static final Pattern ZIP_PLUS_4 = Pattern.compile("\\d{9}");
  private static final Pattern UUID_TEXT =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private ResourceIndexer() {}

  /** Throws when the store does not keep resources of this type. */
  static String supportedType(Resource resource) {
    if (resource == null) {
      throw new IllegalArgumentException("a resource is required");
    }
    String type = resource.fhirType();
    if (!"Patient".equals(type)
        && !SearchParameter.ClinicalTypes.ALL.contains(type)
        && !SearchParameter.CompartmentTypes.ALL.contains(type)
        && !SearchParameter.DirectoryTypes.ALL.contains(type)) {
      throw new IllegalArgumentException("the record store does not keep " + type + " resources");
    }
    return type;
  }

  /** Whether resources of this type belong to no patient (Practitioner, Organization …). */
  static boolean isDirectory(String type) {
    return SearchParameter.DirectoryTypes.ALL.contains(type);
  }

  /**
   * The patient of a clinical resource, from its subject or patient reference.
   *
   * @throws IllegalArgumentException naming the element when it is missing or is not a reference to
   *     {@code Patient/<uuid>}
   */
  static PatientReference patientOf(Resource resource) {
    String field;
    Reference reference;
    if (resource instanceof Immunization r) {
      field = "Immunization.patient";
      reference = r.getPatient();
    } else if (resource instanceof AllergyIntolerance r) {
      field = "AllergyIntolerance.patient";
      reference = r.getPatient();
    } else if (resource instanceof Observation r) {
      field = "Observation.subject";
      reference = r.getSubject();
    } else if (resource instanceof Condition r) {
      field = "Condition.subject";
      reference = r.getSubject();
    } else if (resource instanceof Procedure r) {
      field = "Procedure.subject";
      reference = r.getSubject();
    } else if (resource instanceof MedicationRequest r) {
      field = "MedicationRequest.subject";
      reference = r.getSubject();
    } else if (resource instanceof Encounter r) {
      field = "Encounter.subject";
      reference = r.getSubject();
    } else if (resource instanceof DiagnosticReport r) {
      field = "DiagnosticReport.subject";
      reference = r.getSubject();
    } else if (resource instanceof org.hl7.fhir.r4.model.CareTeam r) {
      field = "CareTeam.subject";
      reference = r.getSubject();
    } else if (resource instanceof org.hl7.fhir.r4.model.Consent r) {
      field = "Consent.patient";
      reference = r.getPatient();
    } else if (resource instanceof org.hl7.fhir.r4.model.Coverage r) {
      field = "Coverage.beneficiary";
      reference = r.getBeneficiary();
    } else {
      throw new IllegalArgumentException(
          resource.fhirType() + " is not a clinical resource the record store keeps");
    }
    String text = reference == null ? null : reference.getReference();
    if (text == null || !text.startsWith("Patient/")) {
      throw new IllegalArgumentException(field + " must be a reference Patient/<id>");
    }
    String id = text.substring("Patient/".length());
    if (!UUID_TEXT.matcher(id).matches()) {
      throw new IllegalArgumentException(field + " must reference a Patient by its Phylax id");
    }
    return new PatientReference(field, UUID.fromString(id));
  }

  /** A clinical resource's patient and the element that named it. */
  static final class PatientReference {
    final String field;
    final UUID patientId;

    PatientReference(String field, UUID patientId) {
      this.field = field;
      this.patientId = patientId;
    }
  }

  /** Every searchable value of the resource, normalized; values without a normal form skipped. */
  static List<IndexEntry> entries(Resource resource) {
    List<IndexEntry> out = new ArrayList<>();
    if (resource instanceof Patient patient) {
      patientEntries(patient, out);
    } else {
      for (CodeableConcept concept : codes(resource)) {
        for (Coding coding : concept.getCoding()) {
          if (coding.hasCode()) {
            String code = coding.getCode().strip();
            out.add(new IndexEntry(SearchParameter.CODE, code, null));
            if (coding.hasSystem()) {
              out.add(
                  new IndexEntry(
                      SearchParameter.CODE, coding.getSystem().strip() + "|" + code, null));
            }
          }
        }
      }
      addDate(SearchParameter.DATE, date(resource), out);
    }
    return dedupe(out);
  }

  /** The normalized values of one parameter, for confirming a token hit after decryption. */
  static Set<String> values(Resource resource, SearchParameter parameter) {
    Set<String> values = new LinkedHashSet<>();
    for (IndexEntry entry : entries(resource)) {
      if (entry.parameter() == parameter) {
        values.add(entry.normalized());
      }
    }
    return values;
  }

  /**
   * The normal form of a search value.
   *
   * @throws IllegalArgumentException naming the parameter (never the value) when it has none
   */
  static String normalizeQuery(SearchParameter parameter, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("search parameter " + parameter.code() + " needs a value");
    }
    try {
      return switch (parameter.kind()) {
        case IDENTIFIER -> Normalizers.identifier(value);
        case NAME -> Normalizers.name(value);
        case DATE -> Normalizers.date(value);
        case PHONE -> Normalizers.phone(value, PHONE_REGION);
        case EMAIL -> Normalizers.email(value);
        case CODE -> value.strip();
      };
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "search parameter " + parameter.code() + ": " + e.getMessage());
    }
  }

  /** Whether a date value ({@code yyyy}, {@code yyyy-MM} or {@code yyyy-MM-dd}) meets a range. */
  static boolean overlaps(String date, LocalDate from, LocalDate to) {
    LocalDate start;
    LocalDate end;
    if (date.length() == 4) {
      int year = Integer.parseInt(date);
      start = LocalDate.of(year, 1, 1);
      end = LocalDate.of(year, 12, 31);
    } else if (date.length() == 7) {
      YearMonth month = YearMonth.parse(date);
      start = month.atDay(1);
      end = month.atEndOfMonth();
    } else {
      start = LocalDate.parse(date);
      end = start;
    }
    return !end.isBefore(from) && !start.isAfter(to);
  }

  private static void patientEntries(Patient patient, List<IndexEntry> out) {
    for (Identifier identifier : patient.getIdentifier()) {
      add(SearchParameter.IDENTIFIER, identifier.getValue(), Normalizers::identifier, out);
    }
    for (HumanName name : patient.getName()) {
      if (name.hasFamily()) {
        nameEntries(SearchParameter.FAMILY, name.getFamily(), out);
      }
      for (StringType given : name.getGiven()) {
        nameEntries(SearchParameter.GIVEN, given.getValue(), out);
      }
    }
    if (patient.hasBirthDateElement()) {
      addDate(SearchParameter.BIRTHDATE, patient.getBirthDateElement(), out);
    }
    for (ContactPoint telecom : patient.getTelecom()) {
      if (telecom.getSystem() == ContactPoint.ContactPointSystem.PHONE) {
        add(
            SearchParameter.PHONE,
            telecom.getValue(),
            v -> Normalizers.phone(v, PHONE_REGION),
            out);
      } else if (telecom.getSystem() == ContactPoint.ContactPointSystem.EMAIL) {
        add(SearchParameter.EMAIL, telecom.getValue(), Normalizers::email, out);
      }
    }
    for (var address : patient.getAddress()) {
      String postal = address.getPostalCode();
      add(SearchParameter.ADDRESS_POSTALCODE, postal, Normalizers::identifier, out);
      if (postal != null) {
        try {
          String normalized = Normalizers.identifier(postal);
          if (ZIP_PLUS_4.matcher(normalized).matches()) {
            // Someone searching for the five-digit ZIP expects the ZIP+4 addresses in it.
            out.add(
                new IndexEntry(
                    SearchParameter.ADDRESS_POSTALCODE, normalized.substring(0, 5), null));
          }
        } catch (IllegalArgumentException e) {
          // not searchable; already skipped above
        }
      }
    }
  }

  /** A name is found whole and by each of its words (a double family name by either part). */
  private static void nameEntries(SearchParameter parameter, String value, List<IndexEntry> out) {
    String whole;
    try {
      whole = Normalizers.name(value == null ? "" : value);
    } catch (IllegalArgumentException e) {
      return;
    }
    List<String> forms = new ArrayList<>();
    forms.add(whole);
    for (String word : WORDS.split(whole)) {
      forms.add(word);
    }
    for (String form : forms) {
      out.add(new IndexEntry(parameter, form, null));
      out.add(new IndexEntry(SearchParameter.NAME, form, null));
    }
  }

  private interface Normalizer {
    String apply(String value);
  }

  private static void add(
      SearchParameter parameter, String value, Normalizer normalizer, List<IndexEntry> out) {
    if (value == null || value.isBlank()) {
      return;
    }
    try {
      out.add(new IndexEntry(parameter, normalizer.apply(value), null));
    } catch (IllegalArgumentException e) {
      // A value without a normal form (a malformed phone number, say) is stored but not searchable.
    }
  }

  private static void addDate(
      SearchParameter parameter, BaseDateTimeType date, List<IndexEntry> out) {
    if (date == null || date.getValueAsString() == null || date.getPrecision() == null) {
      return;
    }
    String text = date.getValueAsString();
    int length =
        switch (date.getPrecision()) {
          case YEAR -> 4;
          case MONTH -> 7;
          default -> 10;
        };
    if (text.length() < length) {
      return;
    }
    String value = text.substring(0, length);
    out.add(new IndexEntry(parameter, value, Integer.parseInt(value.substring(0, 4))));
  }

  private static List<CodeableConcept> codes(Resource resource) {
    if (resource instanceof Observation r) {
      return List.of(r.getCode());
    } else if (resource instanceof Condition r) {
      return List.of(r.getCode());
    } else if (resource instanceof Procedure r) {
      return List.of(r.getCode());
    } else if (resource instanceof MedicationRequest r) {
      return r.hasMedicationCodeableConcept()
          ? List.of(r.getMedicationCodeableConcept())
          : List.of();
    } else if (resource instanceof Immunization r) {
      return List.of(r.getVaccineCode());
    } else if (resource instanceof AllergyIntolerance r) {
      return List.of(r.getCode());
    } else if (resource instanceof Encounter r) {
      return r.getType();
    } else if (resource instanceof DiagnosticReport r) {
      return List.of(r.getCode());
    }
    return List.of();
  }

  /** The main clinical date of each type: when it happened, else when it was recorded. */
  private static BaseDateTimeType date(Resource resource) {
    if (resource instanceof Observation r) {
      return dateOf(r.getEffective());
    } else if (resource instanceof Condition r) {
      BaseDateTimeType onset = dateOf(r.getOnset());
      return onset != null ? onset : r.getRecordedDateElement();
    } else if (resource instanceof Procedure r) {
      return dateOf(r.getPerformed());
    } else if (resource instanceof MedicationRequest r) {
      return r.getAuthoredOnElement();
    } else if (resource instanceof Immunization r) {
      return dateOf(r.getOccurrence());
    } else if (resource instanceof AllergyIntolerance r) {
      BaseDateTimeType onset = dateOf(r.getOnset());
      return onset != null ? onset : r.getRecordedDateElement();
    } else if (resource instanceof Encounter r) {
      return r.hasPeriod() ? r.getPeriod().getStartElement() : null;
    } else if (resource instanceof DiagnosticReport r) {
      return dateOf(r.getEffective());
    }
    return null;
  }

  private static BaseDateTimeType dateOf(Type value) {
    if (value instanceof BaseDateTimeType date) {
      return date.hasValue() ? date : null;
    }
    if (value instanceof Period period) {
      return period.hasStart() ? period.getStartElement() : null;
    }
    return null;
  }

  private static List<IndexEntry> dedupe(List<IndexEntry> entries) {
    Set<String> seen = new LinkedHashSet<>();
    List<IndexEntry> out = new ArrayList<>();
    for (IndexEntry entry : entries) {
      if (seen.add(entry.parameter() + "\u0000" + entry.normalized())) {
        out.add(entry);
      }
    }
    return out;
  }
}
