package org.phylax.records.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.Claim;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Coverage;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.ExplanationOfBenefit;
import org.hl7.fhir.r4.model.Goal;
import org.hl7.fhir.r4.model.Group;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.Immunization;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationAdministration;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.MedicationStatement;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Schedule;
import org.hl7.fhir.r4.model.Slot;
import org.hl7.fhir.r4.model.SupplyDelivery;
import org.hl7.fhir.r4.model.Type;

/**
 * The one table of the resource types the store keeps: for each, which element names its patient
 * (or that it belongs to none), and which elements are its main code and main date for the {@code
 * code} and {@code date} search parameters. docs/records.md prints this table; CompartmentsTests
 * checks that {@code SearchParameter}'s type lists agree with it.
 */
final class Compartments {

  /** How a type's patient is found. */
  enum Rule {
    /** The Patient resource is its own patient. */
    SELF,
    /** One reference element that must be {@code Patient/<uuid>}. */
    REFERENCE,
    /** As REFERENCE when present; when absent the resource belongs to no patient. */
    OPTIONAL_REFERENCE,
    /** Exactly one distinct {@code Patient/<uuid>} among several references of any type. */
    ONE_PATIENT_AMONG,
    /**
     * Provenance: a Patient among the targets, else the one patient of the stored resources it
     * targets (none when they all belong to no patient). Resolved by the store, which looks the
     * targets up.
     */
    TARGETS,
    /** Belongs to no patient; the element given, if any, must not name a Patient. */
    NONE
  }

  /** One row of the table. */
  static final class Row {
    final String type;
    final Rule rule;
    final String patientElement;
    final String codeElement;
    final String dateElement;
    private final Function<Resource, List<Reference>> patientRefs;
    private final Function<Resource, List<CodeableConcept>> codes;
    private final Function<Resource, BaseDateTimeType> date;

    private Row(
        String type,
        Rule rule,
        String patientElement,
        Function<Resource, List<Reference>> patientRefs,
        String codeElement,
        Function<Resource, List<CodeableConcept>> codes,
        String dateElement,
        Function<Resource, BaseDateTimeType> date) {
      this.type = type;
      this.rule = rule;
      this.patientElement = patientElement;
      this.patientRefs = patientRefs;
      this.codeElement = codeElement;
      this.codes = codes;
      this.dateElement = dateElement;
      this.date = date;
    }

    boolean hasCode() {
      return codes != null;
    }

    boolean hasDate() {
      return date != null;
    }

    /** Whether resources of this type may belong to a patient. */
    boolean ownedByPatient() {
      return rule != Rule.NONE;
    }

    List<CodeableConcept> codes(Resource resource) {
      if (codes == null) {
        return List.of();
      }
      List<CodeableConcept> out = codes.apply(resource);
      return out == null ? List.of() : out;
    }

    BaseDateTimeType date(Resource resource) {
      return date == null ? null : date.apply(resource);
    }
  }

  private static final Pattern PHYLAX_REFERENCE =
      Pattern.compile(
          "([A-Za-z]+)/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})");

  private static final Map<String, Row> TABLE = new LinkedHashMap<>();

  static {
    // type, patient element, main code, main date. The date is when it happened, else when it was
    // recorded; a Period counts by its start.
    add(Patient.class, Rule.SELF, null, null, null, null, null, null);
    add(
        Encounter.class,
        Rule.REFERENCE,
        "subject",
        r -> one(r.getSubject()),
        "type",
        Encounter::getType,
        "period.start",
        r -> start(r.getPeriod()));
    add(
        Observation.class,
        Rule.REFERENCE,
        "subject",
        r -> one(r.getSubject()),
        "code",
        r -> List.of(r.getCode()),
        "effective[x]",
        r -> dateOf(r.getEffective()));
    add(
        Condition.class,
        Rule.REFERENCE,
        "subject",
        r -> one(r.getSubject()),
        "code",
        r -> List.of(r.getCode()),
        "onset[x] else recordedDate",
        r -> firstOf(dateOf(r.getOnset()), r.getRecordedDateElement()));
    add(
        AllergyIntolerance.class,
        Rule.REFERENCE,
        "patient",
        r -> one(r.getPatient()),
        "code",
        r -> List.of(r.getCode()),
        "onset[x] else recordedDate",
        r -> firstOf(dateOf(r.getOnset()), r.getRecordedDateElement()));
    add(
        MedicationRequest.class,
        Rule.REFERENCE,
        "subject",
        r -> one(r.getSubject()),
        "medicationCodeableConcept",
        r -> concept(r.getMedication()),
        "authoredOn",
        MedicationRequest::getAuthoredOnElement);
    add(
        MedicationStatement.class,
        Rule.REFERENCE,
        "subject",
        r -> one(r.getSubject()),
        "medicationCodeableConcept",
        r -> concept(r.getMedication()),
        "effective[x] else dateAsserted",
        r -> firstOf(dateOf(r.getEffective()), r.getDateAssertedElement()));
    add(
        MedicationAdministration.class,
        Rule.REFERENCE,
        "subject",
        r -> one(r.getSubject()),
        "medicationCodeableConcept",
        r -> concept(r.getMedication()),
        "effective[x]",
        r -> dateOf(r.getEffective()));
    add(
        Procedure.class,
        Rule.REFERENCE,
        "subject",
        r -> one(r.getSubject()),
        "code",
        r -> List.of(r.getCode()),
        "performed[x]",
        r -> dateOf(r.getPerformed()));
    add(
        Immunization.class,
        Rule.REFERENCE,
        "patient",
        r -> one(r.getPatient()),
        "vaccineCode",
        r -> List.of(r.getVaccineCode()),
        "occurrence[x]",
        r -> dateOf(r.getOccurrence()));
    add(
        DiagnosticReport.class,
        Rule.REFERENCE,
        "subject",
        r -> one(r.getSubject()),
        "code",
        r -> List.of(r.getCode()),
        "effective[x]",
        r -> dateOf(r.getEffective()));
    add(
        DocumentReference.class,
        Rule.REFERENCE,
        "subject",
        r -> one(r.getSubject()),
        "type",
        r -> List.of(r.getType()),
        "date",
        DocumentReference::getDateElement);
    add(
        ImagingStudy.class,
        Rule.REFERENCE,
        "subject",
        r -> one(r.getSubject()),
        "procedureCode",
        ImagingStudy::getProcedureCode,
        "started",
        ImagingStudy::getStartedElement);
    add(
        CarePlan.class,
        Rule.REFERENCE,
        "subject",
        r -> one(r.getSubject()),
        "category",
        CarePlan::getCategory,
        "period.start",
        r -> start(r.getPeriod()));
    add(
        Goal.class,
        Rule.REFERENCE,
        "subject",
        r -> one(r.getSubject()),
        "description",
        r -> List.of(r.getDescription()),
        "startDate",
        r -> dateOf(r.getStart()));
    add(
        SupplyDelivery.class,
        Rule.REFERENCE,
        "patient",
        r -> one(r.getPatient()),
        "suppliedItem.itemCodeableConcept",
        r -> r.hasSuppliedItem() ? concept(r.getSuppliedItem().getItem()) : List.of(),
        "occurrence[x]",
        r -> dateOf(r.getOccurrence()));
    add(
        CareTeam.class,
        Rule.REFERENCE,
        "subject",
        r -> one(r.getSubject()),
        "category",
        CareTeam::getCategory,
        "period.start",
        r -> start(r.getPeriod()));
    add(
        Consent.class,
        Rule.REFERENCE,
        "patient",
        r -> one(r.getPatient()),
        "category",
        Consent::getCategory,
        "dateTime",
        Consent::getDateTimeElement);
    add(
        Coverage.class,
        Rule.REFERENCE,
        "beneficiary",
        r -> one(r.getBeneficiary()),
        "type",
        r -> List.of(r.getType()),
        "period.start",
        r -> start(r.getPeriod()));
    add(
        Claim.class,
        Rule.REFERENCE,
        "patient",
        r -> one(r.getPatient()),
        "type",
        r -> List.of(r.getType()),
        "created",
        Claim::getCreatedElement);
    add(
        ExplanationOfBenefit.class,
        Rule.REFERENCE,
        "patient",
        r -> one(r.getPatient()),
        "type",
        r -> List.of(r.getType()),
        "created",
        ExplanationOfBenefit::getCreatedElement);
    add(
        Appointment.class,
        Rule.ONE_PATIENT_AMONG,
        "participant.actor",
        r ->
            r.getParticipant().stream()
                .map(Appointment.AppointmentParticipantComponent::getActor)
                .toList(),
        "serviceType",
        Appointment::getServiceType,
        "start",
        Appointment::getStartElement);
    add(
        Provenance.class,
        Rule.TARGETS,
        "target",
        Provenance::getTarget,
        null,
        null,
        "occurred[x] else recorded",
        r -> firstOf(dateOf(r.getOccurred()), r.getRecordedElement()));
    add(
        Device.class,
        Rule.OPTIONAL_REFERENCE,
        "patient",
        r -> one(r.getPatient()),
        "type",
        r -> List.of(r.getType()),
        null,
        null);
    // Directory and catalog: the workforce, places, medicines, schedules of the workforce.
    add(Practitioner.class, Rule.NONE, null, null, null, null, null, null);
    add(PractitionerRole.class, Rule.NONE, null, null, null, null, null, null);
    add(Organization.class, Rule.NONE, null, null, null, null, null, null);
    add(Location.class, Rule.NONE, null, null, null, null, null, null);
    add(Medication.class, Rule.NONE, null, null, "code", r -> List.of(r.getCode()), null, null);
    // A schedule of a patient would hold PHI and belong to no one: refused, not kept.
    add(Schedule.class, Rule.NONE, "actor", Schedule::getActor, null, null, null, null);
    add(Slot.class, Rule.NONE, null, null, null, null, null, null);
    // A list of patients belongs to none of them: many members, no owner.
    add(Group.class, Rule.NONE, null, null, null, null, null, null);
  }

  private Compartments() {}

  /** The rows, in the order above. */
  static Iterable<Row> rows() {
    return Collections.unmodifiableCollection(TABLE.values());
  }

  /** Every type the store keeps. */
  static Set<String> types() {
    return Collections.unmodifiableSet(TABLE.keySet());
  }

  /**
   * The row of a resource's type.
   *
   * @throws IllegalArgumentException when the store does not keep the type
   */
  static Row of(String type) {
    Row row = TABLE.get(type);
    if (row == null) {
      throw new IllegalArgumentException("the record store does not keep " + type + " resources");
    }
    return row;
  }

  static Row of(Resource resource) {
    if (resource == null) {
      throw new IllegalArgumentException("a resource is required");
    }
    return of(resource.fhirType());
  }

  /**
   * Who a resource says its patient is, as far as the resource alone tells; Provenance targets
   * other than a Patient are left for the store to look up.
   *
   * @throws IllegalArgumentException naming the element (never a value) when it is missing,
   *     malformed, or names something the type does not allow
   */
  static Owner ownerOf(Resource resource) {
    Row row = of(resource);
    String element = row.type + "." + row.patientElement;
    return switch (row.rule) {
      case SELF -> new Owner(null, null, List.of());
      case NONE -> {
        if (row.patientRefs != null) {
          for (Reference ref : row.patientRefs.apply(resource)) {
            if (ref.hasReference() && ref.getReference().startsWith("Patient/")) {
              throw new IllegalArgumentException(
                  element
                      + " names a Patient; the record store keeps "
                      + row.type
                      + " resources of no patient");
            }
          }
        }
        yield new Owner(null, null, List.of());
      }
      case REFERENCE, OPTIONAL_REFERENCE -> {
        Reference ref = row.patientRefs.apply(resource).get(0);
        if (row.rule == Rule.OPTIONAL_REFERENCE && (ref == null || ref.isEmpty())) {
          yield new Owner(element, null, List.of());
        }
        yield new Owner(element, patientId(ref, element), List.of());
      }
      case ONE_PATIENT_AMONG -> {
        Set<UUID> patients = new LinkedHashSet<>();
        for (Reference ref : row.patientRefs.apply(resource)) {
          if (ref != null && ref.hasReference() && ref.getReference().startsWith("Patient/")) {
            patients.add(patientId(ref, element));
          }
        }
        if (patients.isEmpty()) {
          throw new IllegalArgumentException(element + " must name a Patient/<id>");
        }
        if (patients.size() > 1) {
          throw new IllegalArgumentException(element + " names more than one Patient");
        }
        yield new Owner(element, patients.iterator().next(), List.of());
      }
      case TARGETS -> {
        Set<UUID> patients = new LinkedHashSet<>();
        List<Target> others = new ArrayList<>();
        for (Reference ref : row.patientRefs.apply(resource)) {
          Matcher m =
              ref == null || !ref.hasReference()
                  ? null
                  : PHYLAX_REFERENCE.matcher(ref.getReference());
          if (m == null || !m.matches()) {
            throw new IllegalArgumentException(
                element + " must reference resources as <type>/<Phylax id>");
          }
          UUID id = UUID.fromString(m.group(2));
          if ("Patient".equals(m.group(1))) {
            patients.add(id);
          } else {
            others.add(new Target(m.group(1), id));
          }
        }
        if (patients.isEmpty() && others.isEmpty()) {
          throw new IllegalArgumentException(element + " must name at least one resource");
        }
        if (patients.size() > 1) {
          throw new IllegalArgumentException(element + " names more than one Patient");
        }
        yield new Owner(element, patients.isEmpty() ? null : patients.iterator().next(), others);
      }
    };
  }

  /**
   * What a resource names as its patient: {@code element} (e.g. {@code Encounter.subject}) for
   * error messages, the patient's id (null for none or not yet known), and for a Provenance the
   * other resources it targets, whose patients the store looks up.
   */
  record Owner(String element, UUID patientId, List<Target> targets) {}

  /** A resource a Provenance targets. */
  record Target(String type, UUID id) {}

  private static UUID patientId(Reference reference, String element) {
    String text = reference == null ? null : reference.getReference();
    if (text == null || !text.startsWith("Patient/")) {
      throw new IllegalArgumentException(element + " must be a reference Patient/<id>");
    }
    Matcher m = PHYLAX_REFERENCE.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(element + " must reference a Patient by its Phylax id");
    }
    return UUID.fromString(m.group(2));
  }

  @SuppressWarnings("unchecked")
  private static <T extends Resource> void add(
      Class<T> type,
      Rule rule,
      String patientElement,
      Function<T, List<Reference>> patientRefs,
      String codeElement,
      Function<T, List<CodeableConcept>> codes,
      String dateElement,
      Function<T, BaseDateTimeType> date) {
    String name = type.getSimpleName();
    TABLE.put(
        name,
        new Row(
            name,
            rule,
            patientElement,
            (Function<Resource, List<Reference>>) (Function<?, ?>) patientRefs,
            codeElement,
            (Function<Resource, List<CodeableConcept>>) (Function<?, ?>) codes,
            dateElement,
            (Function<Resource, BaseDateTimeType>) (Function<?, ?>) date));
  }

  private static List<Reference> one(Reference reference) {
    return Collections.singletonList(reference);
  }

  private static List<CodeableConcept> concept(Type value) {
    return value instanceof CodeableConcept c ? List.of(c) : List.of();
  }

  private static BaseDateTimeType start(Period period) {
    return period != null && period.hasStart() ? period.getStartElement() : null;
  }

  private static BaseDateTimeType firstOf(BaseDateTimeType first, BaseDateTimeType second) {
    if (first != null && first.hasValue()) {
      return first;
    }
    return second != null && second.hasValue() ? second : null;
  }

  /**
   * A dateTime, date or instant as itself; a Period by its start; anything else (Timing …) none.
   */
  static BaseDateTimeType dateOf(Type value) {
    if (value instanceof BaseDateTimeType date) {
      return date.hasValue() ? date : null;
    }
    if (value instanceof Period period) {
      return start(period);
    }
    return null;
  }
}
