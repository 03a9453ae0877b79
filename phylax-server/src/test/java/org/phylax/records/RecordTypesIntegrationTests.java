package org.phylax.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.Claim;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Coverage;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.ExplanationOfBenefit;
import org.hl7.fhir.r4.model.Goal;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.Immunization;
import org.hl7.fhir.r4.model.InstantType;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.phylax.access.Permit;

/**
 * Every resource type the store keeps, table-driven: its patient comes from the right element (or
 * it has none), it reads back as written, it is found by its main code and date, and an element
 * naming no stored Patient is refused by name. Then the types whose patient takes more than one
 * reference to find: Appointment, Provenance, Device.
 */
class RecordTypesIntegrationTests {

  @TempDir static Path dir;

  static RecordsTestServer phylax;
  static RecordStore store;
  static Permit system;
  static UUID patient;

  static final String DATE = "2021-03-04";

  @BeforeAll
  static void start() {
    phylax = RecordsTestServer.start(dir);
    store = phylax.store();
    system = phylax.system("record-types-tests");
    Patient p = new Patient();
    p.addName().setFamily("Quenby").addGiven("Althea");
    patient = store.create(system, p).id();
  }

  @AfterAll
  static void stop() {
    if (phylax != null) {
      phylax.close();
    }
  }

  /**
   * One row per type: the element that names the patient (null when the type belongs to no patient)
   * and a resource of that type naming the given patient id there.
   */
  record Case(String type, String element, BiFunction<Reference, CodeableConcept, Resource> make) {
    @Override
    public String toString() {
      return type;
    }
  }

  static CodeableConcept code(String type) {
    return new CodeableConcept(new Coding("urn:phylax:test", "T-" + type, null));
  }

  static DateTimeType dateTime() {
    return new DateTimeType(DATE + "T09:15:00Z");
  }

  static Period period() {
    return new Period().setStartElement(dateTime());
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case(
            "Encounter",
            "Encounter.subject",
            (p, c) -> new Encounter().setSubject(p).addType(c).setPeriod(period())),
        new Case(
            "Observation",
            "Observation.subject",
            (p, c) -> new Observation().setSubject(p).setCode(c).setEffective(dateTime())),
        new Case(
            "Condition",
            "Condition.subject",
            (p, c) -> new Condition().setSubject(p).setCode(c).setOnset(dateTime())),
        new Case(
            "AllergyIntolerance",
            "AllergyIntolerance.patient",
            (p, c) -> new AllergyIntolerance().setPatient(p).setCode(c).setOnset(dateTime())),
        new Case(
            "MedicationRequest",
            "MedicationRequest.subject",
            (p, c) ->
                new MedicationRequest()
                    .setSubject(p)
                    .setMedication(c)
                    .setAuthoredOnElement(dateTime())),
        new Case(
            "MedicationStatement",
            "MedicationStatement.subject",
            (p, c) ->
                new MedicationStatement().setSubject(p).setMedication(c).setEffective(dateTime())),
        new Case(
            "MedicationAdministration",
            "MedicationAdministration.subject",
            (p, c) ->
                new MedicationAdministration()
                    .setSubject(p)
                    .setMedication(c)
                    .setEffective(dateTime())),
        new Case(
            "Procedure",
            "Procedure.subject",
            (p, c) -> new Procedure().setSubject(p).setCode(c).setPerformed(dateTime())),
        new Case(
            "Immunization",
            "Immunization.patient",
            (p, c) -> new Immunization().setPatient(p).setVaccineCode(c).setOccurrence(dateTime())),
        new Case(
            "DiagnosticReport",
            "DiagnosticReport.subject",
            (p, c) -> new DiagnosticReport().setSubject(p).setCode(c).setEffective(dateTime())),
        new Case(
            "DocumentReference",
            "DocumentReference.subject",
            (p, c) ->
                new DocumentReference()
                    .setSubject(p)
                    .setType(c)
                    .setDateElement(new InstantType(DATE + "T09:15:00Z"))),
        new Case(
            "ImagingStudy",
            "ImagingStudy.subject",
            (p, c) ->
                new ImagingStudy().setSubject(p).addProcedureCode(c).setStartedElement(dateTime())),
        new Case(
            "CarePlan",
            "CarePlan.subject",
            (p, c) -> new CarePlan().setSubject(p).addCategory(c).setPeriod(period())),
        new Case(
            "Goal",
            "Goal.subject",
            (p, c) -> new Goal().setSubject(p).setDescription(c).setStart(new DateType(DATE))),
        new Case(
            "SupplyDelivery",
            "SupplyDelivery.patient",
            (p, c) ->
                new SupplyDelivery()
                    .setPatient(p)
                    .setSuppliedItem(
                        new SupplyDelivery.SupplyDeliverySuppliedItemComponent().setItem(c))
                    .setOccurrence(dateTime())),
        new Case(
            "CareTeam",
            "CareTeam.subject",
            (p, c) -> new CareTeam().setSubject(p).addCategory(c).setPeriod(period())),
        new Case(
            "Consent",
            "Consent.patient",
            (p, c) -> new Consent().setPatient(p).addCategory(c).setDateTimeElement(dateTime())),
        new Case(
            "Coverage",
            "Coverage.beneficiary",
            (p, c) -> new Coverage().setBeneficiary(p).setType(c).setPeriod(period())),
        new Case(
            "Claim",
            "Claim.patient",
            (p, c) -> new Claim().setPatient(p).setType(c).setCreatedElement(dateTime())),
        new Case(
            "ExplanationOfBenefit",
            "ExplanationOfBenefit.patient",
            (p, c) ->
                new ExplanationOfBenefit().setPatient(p).setType(c).setCreatedElement(dateTime())),
        new Case(
            "Appointment",
            "Appointment.participant.actor",
            (p, c) -> {
              Appointment a = new Appointment();
              a.addParticipant().setActor(new Reference("Practitioner/" + UUID.randomUUID()));
              a.addParticipant().setActor(p);
              return a.addServiceType(c).setStartElement(new InstantType(DATE + "T09:15:00Z"));
            }),
        new Case(
            "Provenance",
            "Provenance.target",
            (p, c) ->
                new Provenance()
                    .addTarget(p)
                    .setRecordedElement(new InstantType(DATE + "T09:15:00Z"))),
        new Case("Device", "Device.patient", (p, c) -> new Device().setPatient(p).setType(c)),
        new Case("Medication", null, (p, c) -> new Medication().setCode(c)),
        new Case(
            "Practitioner",
            null,
            (p, c) ->
                new Practitioner()
                    .addName(new org.hl7.fhir.r4.model.HumanName().setFamily("Oakshott"))),
        new Case("PractitionerRole", null, (p, c) -> new PractitionerRole().addCode(c)),
        new Case("Organization", null, (p, c) -> new Organization().setName("Larkspur Clinic")),
        new Case(
            "Location",
            null,
            (p, c) -> {
              Location room = new Location().setName("Room 4");
              room.addExtension(
                  "http://hl7.org/fhir/StructureDefinition/timezone",
                  new org.hl7.fhir.r4.model.CodeType("Europe/Vienna"));
              return room;
            }),
        new Case(
            "Schedule",
            null,
            (p, c) -> {
              Schedule s =
                  new Schedule()
                      .addActor(new Reference("Practitioner/" + UUID.randomUUID()))
                      .addServiceType(c);
              s.addExtension(
                  "http://hl7.org/fhir/StructureDefinition/timezone",
                  new org.hl7.fhir.r4.model.CodeType("Europe/Berlin"));
              return s;
            }),
        new Case(
            "Slot",
            null,
            (p, c) ->
                new Slot()
                    .setSchedule(new Reference("Schedule/" + UUID.randomUUID()))
                    .setStatus(Slot.SlotStatus.FREE)
                    .setStartElement(new InstantType(DATE + "T09:15:00Z"))
                    .setEndElement(new InstantType(DATE + "T09:45:00Z"))),
        // A list of patients is no patient's: its members do not make it theirs.
        new Case(
            "Group",
            null,
            (p, c) -> {
              org.hl7.fhir.r4.model.Group g = new org.hl7.fhir.r4.model.Group();
              g.setType(org.hl7.fhir.r4.model.Group.GroupType.PERSON).setActual(true);
              g.addMember().setEntity(p);
              return g;
            }));
  }

  @Test
  void casesWhenComparedWithTheStoreThenCoverEveryKeptType() {
    Set<String> types = new HashSet<>(List.of("Patient"));
    cases().forEach(c -> types.add(c.type()));
    assertThat(types).hasSize(32);
    Set<String> kept = new HashSet<>(SearchParameter.ClinicalTypes.ALL);
    kept.addAll(SearchParameter.CompartmentTypes.ALL);
    kept.addAll(SearchParameter.DirectoryTypes.ALL);
    kept.add("Patient");
    assertThat(types).isEqualTo(kept);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void createWhenTypeIsKeptThenReadsBackWithThePatientOfItsElementAndIsFoundByCodeAndDate(Case c) {
    Resource written = c.make().apply(new Reference("Patient/" + patient), code(c.type()));

    StoredResource created = store.create(system, written);
    StoredResource read = store.read(system, c.type(), created.id());

    assertThat(read.resourceType()).isEqualTo(c.type());
    assertThat(read.patientId()).isEqualTo(c.element() == null ? null : patient);
    Resource back = read.resource();
    back.setId((String) null);
    back.setMeta(null);
    assertThat(back.equalsDeep(written)).as("reads back as written").isTrue();
    if (SearchParameter.CODE.appliesTo(c.type())) {
      assertThat(ids(c.type(), SearchParameter.CODE, "urn:phylax:test|T-" + c.type()))
          .containsExactly(created.id());
      assertThat(ids(c.type(), SearchParameter.CODE, "T-" + c.type()))
          .containsExactly(created.id());
    }
    if (SearchParameter.DATE.appliesTo(c.type())) {
      assertThat(ids(c.type(), SearchParameter.DATE, DATE)).contains(created.id());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void createWhenPatientElementNamesNoStoredPatientThenRefusedNamingTheElement(Case c) {
    if (c.element() == null) {
      return; // belongs to no patient
    }
    Resource written =
        c.make().apply(new Reference("Patient/" + UUID.randomUUID()), code(c.type()));
    assertThatThrownBy(() -> store.create(system, written))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(c.element() + " references no existing Patient");
    Resource group = c.make().apply(new Reference("Group/" + UUID.randomUUID()), code(c.type()));
    if (!c.type().equals("Provenance")) {
      assertThatThrownBy(() -> store.create(system, group))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(c.element());
    }
  }

  @Test
  void createWhenTypeIsNotKeptThenRefused() {
    assertThatThrownBy(() -> store.create(system, new org.hl7.fhir.r4.model.Basic()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the record store does not keep Basic resources");
  }

  @Test
  void appointmentWhenTwoPatientsOrNoneThenRefused() {
    Appointment two = new Appointment();
    two.addParticipant().setActor(new Reference("Patient/" + patient));
    two.addParticipant().setActor(new Reference("Patient/" + UUID.randomUUID()));
    assertThatThrownBy(() -> store.create(system, two))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Appointment.participant.actor names more than one Patient");
    Appointment none = new Appointment();
    none.addParticipant().setActor(new Reference("Practitioner/" + UUID.randomUUID()));
    assertThatThrownBy(() -> store.create(system, none))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Appointment.participant.actor must name a Patient/<id>");
  }

  @Test
  void provenanceWhenTargetsArePatientResourcesThenBelongsToTheirPatient() {
    UUID obs =
        store
            .create(
                system,
                new Observation()
                    .setSubject(new Reference("Patient/" + patient))
                    .setCode(code("Observation")))
            .id();
    UUID org = store.create(system, new Organization().setName("Thornbury Practice")).id();
    Provenance about = new Provenance();
    about.addTarget(new Reference("Observation/" + obs));
    about.addTarget(new Reference("Organization/" + org));
    about.setRecordedElement(new InstantType(DATE + "T09:15:00Z"));
    assertThat(store.create(system, about).patientId()).isEqualTo(patient);

    Provenance directoryOnly = new Provenance().addTarget(new Reference("Organization/" + org));
    assertThat(store.create(system, directoryOnly).patientId()).isNull();

    Patient other = new Patient();
    other.addName().setFamily("Ravenhill");
    UUID otherId = store.create(system, other).id();
    Provenance mixed = new Provenance();
    mixed.addTarget(new Reference("Patient/" + otherId));
    mixed.addTarget(new Reference("Observation/" + obs));
    assertThatThrownBy(() -> store.create(system, mixed))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Provenance.target names resources of more than one Patient");

    Provenance unknown =
        new Provenance().addTarget(new Reference("Observation/" + UUID.randomUUID()));
    assertThatThrownBy(() -> store.create(system, unknown))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Provenance.target references a resource the record store does not hold");

    Provenance foreign = new Provenance().addTarget(new Reference("urn:uuid:" + UUID.randomUUID()));
    assertThatThrownBy(() -> store.create(system, foreign))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Provenance.target must reference resources as <type>/<Phylax id>");
  }

  @Test
  void deviceWhenPatientAddedOrRemovedThenMovesWithIt() {
    StoredResource inventory = store.create(system, new Device().setType(code("Device")));
    assertThat(inventory.patientId()).isNull();

    Device implanted = (Device) inventory.resource();
    implanted.setPatient(new Reference("Patient/" + patient));
    assertThat(store.update(system, inventory.id(), 1, implanted).patientId()).isEqualTo(patient);
    assertThat(store.read(system, "Device", inventory.id()).patientId()).isEqualTo(patient);

    Device returned = (Device) store.read(system, "Device", inventory.id()).resource();
    returned.setPatient(null);
    assertThat(store.update(system, inventory.id(), 2, returned).patientId()).isNull();
  }

  @Test
  void scheduleWhenActorIsAPatientThenRefused() {
    Schedule schedule = new Schedule().addActor(new Reference("Patient/" + patient));
    assertThatThrownBy(() -> store.create(system, schedule))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Schedule.actor names a Patient; the record store keeps Schedule resources of no"
                + " patient");
  }

  private static List<UUID> ids(String type, SearchParameter parameter, String value) {
    List<UUID> out = new ArrayList<>();
    store.search(system, type, parameter, value).forEach(s -> out.add(s.id()));
    return out;
  }
}
