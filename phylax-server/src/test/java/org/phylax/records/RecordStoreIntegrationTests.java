package org.phylax.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.access.Permit;
import org.phylax.access.TestPermits;
import org.phylax.crypto.IntegrityException;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The record store against a real embedded PostgreSQL: create, read, vread, update with version
 * checks, soft delete, history, search by every parameter, permits, and tampered ciphertexts. Each
 * test makes its own synthetic patients with names no other test uses.
 */
class RecordStoreIntegrationTests {

  @TempDir static Path dir;

  static RecordsTestServer phylax;
  static RecordStore store;
  static Permit system;

  @BeforeAll
  static void start() {
    phylax = RecordsTestServer.start(dir);
    store = phylax.store();
    system = phylax.system("records-tests");
  }

  @AfterAll
  static void stop() {
    if (phylax != null) {
      phylax.close();
    }
  }

  @Test
  void inTransactionWhenALaterWriteFailsThenEarlierCreatesAndUpdatesAreRolledBack() {
    StoredResource kept = store.create(system, patient("Orsolya", "Kestrelwood"));
    Patient changed = (Patient) kept.resource().copy();
    changed.getNameFirstRep().setFamily("Kestrelwood-Ames");
    JdbcClient jdbc = phylax.bean(JdbcClient.class);
    long before = jdbc.sql("select count(*) from record_resource").query(Long.class).single();
    assertThatThrownBy(
            () ->
                store.inTransaction(
                    () -> {
                      StoredResource p = store.create(system, patient("Ilse", "Marchbank"));
                      store.create(system, observation(p.id(), "8867-4", "2024-01-02"));
                      store.update(system, kept.id(), 1, changed);
                      return store.create(
                          system, observation(UUID.randomUUID(), "8867-4", "2024-01-02"));
                    }))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("references no existing Patient");
    assertThat(jdbc.sql("select count(*) from record_resource").query(Long.class).single())
        .isEqualTo(before);
    assertThat(store.read(system, "Patient", kept.id()).version()).isEqualTo(1);
    assertThat(family(store.read(system, "Patient", kept.id()).resource()))
        .isEqualTo("Kestrelwood");
  }

  @Test
  void patientOfNewWhenSubjectNamesAPatientThenThatPatientAndForAPatientOrDirectoryNone() {
    UUID owner = store.create(system, patient("Bettina", "Oakhollow")).id();
    assertThat(store.patientOfNew(observation(owner, "8867-4", "2024-01-02"))).hasValue(owner);
    assertThat(store.patientOfNew(patient("Nobody", "Yet"))).isEqualTo(Optional.empty());
    assertThat(store.patientOfNew(new Practitioner())).isEmpty();
    Observation noSubject = observation(owner, "8867-4", "2024-01-02");
    noSubject.setSubject(null);
    assertThatThrownBy(() -> store.patientOfNew(noSubject))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Observation.subject");
  }

  @Test
  void everythingWhenPermittedThenThePatientFirstAndOnlyTheirCurrentResourcesOfTheGivenTypes() {
    UUID owner = store.create(system, patient("Ottilie", "Hazelmere")).id();
    UUID other = store.create(system, patient("Cosmo", "Hazelmere")).id();
    UUID kept = store.create(system, observation(owner, "8867-4", "2024-01-02")).id();
    UUID gone = store.create(system, observation(owner, "8867-4", "2024-01-03")).id();
    store.delete(system, "Observation", gone);
    store.create(system, observation(other, "8867-4", "2024-01-02"));
    Permit permit = TestPermits.clinicianOf(owner);
    List<StoredResource> all = store.everything(permit, owner, Set.of("Patient", "Observation"));
    assertThat(all).extracting(StoredResource::id).containsExactly(owner, kept);
    assertThat(store.everything(permit, owner, Set.of("Condition"))).isEmpty();
    assertThatThrownBy(() -> store.everything(permit, other, Set.of("Patient")))
        .isInstanceOf(NotPermittedException.class);
  }

  @Test
  void searchWhenPractitionerIdentifierThenFoundWithADirectoryOrAnyPermit() {
    Practitioner p = new Practitioner();
    p.addIdentifier().setSystem("http://hl7.org/fhir/sid/us-npi").setValue("9990003334");
    UUID id = store.create(system, p).id();
    Permit clinician = TestPermits.clinicianOf(store.create(system, patient("Una", "Brook")).id());
    for (String query : List.of("http://hl7.org/fhir/sid/us-npi|9990003334", "9990003334")) {
      assertThat(store.search(clinician, "Practitioner", SearchParameter.IDENTIFIER, query))
          .extracting(StoredResource::id)
          .containsExactly(id);
    }
    assertThat(
            store.search(
                clinician, "Practitioner", SearchParameter.IDENTIFIER, "urn:other|9990003334"))
        .isEmpty();
  }

  static Patient patient(String given, String family) {
    Patient p = new Patient();
    p.addName().setFamily(family).addGiven(given);
    p.addIdentifier().setSystem("urn:phylax:mrn").setValue("MRN-" + UUID.randomUUID());
    p.setGender(Enumerations.AdministrativeGender.FEMALE);
    return p;
  }

  static Observation observation(UUID patient, String code, String date) {
    Observation o = new Observation();
    o.setStatus(Observation.ObservationStatus.FINAL);
    o.setSubject(new Reference("Patient/" + patient));
    o.setCode(new CodeableConcept(new Coding("http://loinc.org", code, "test")));
    o.setEffective(new DateTimeType(date));
    return o;
  }

  static String family(Resource r) {
    return ((Patient) r).getNameFirstRep().getFamily();
  }

  @Test
  void createWhenPatientThenReadReturnsTheSameContentWithVersionOneAndAuditColumns() {
    Patient p = patient("Ottoline", "Quarrington");
    p.setBirthDateElement(new DateType("1961-07-14"));

    StoredResource created = store.create(system, p);
    StoredResource read = store.read(system, "Patient", created.id());

    assertThat(read.version()).isEqualTo(1);
    assertThat(read.patientId()).isEqualTo(created.id());
    assertThat(read.createdBy()).isEqualTo("system:records-tests");
    assertThat(read.updatedBy()).isEqualTo("system:records-tests");
    assertThat(read.createdAt()).isEqualTo(created.createdAt());
    assertThat(read.deleted()).isFalse();
    assertThat(read.resource().getIdElement().getIdPart()).isEqualTo(created.id().toString());
    assertThat(read.resource().getMeta().getVersionId()).isEqualTo("1");
    Patient back = (Patient) read.resource();
    assertThat(back.getNameFirstRep().getGivenAsSingleString()).isEqualTo("Ottoline");
    assertThat(back.getNameFirstRep().getFamily()).isEqualTo("Quarrington");
    assertThat(back.getBirthDateElement().getValueAsString()).isEqualTo("1961-07-14");
    assertThat(p.hasId()).as("the caller's object is not changed").isFalse();
  }

  @Test
  void updateWhenVersionIsCurrentThenWritesTheNextVersionAndVreadKeepsEach() {
    StoredResource v1 = store.create(system, patient("Perpetua", "Ashcombe"));
    Patient changed = (Patient) v1.resource();
    changed.getNameFirstRep().setFamily("Ashcombe-Vell");

    StoredResource v2 = store.update(system, v1.id(), 1, changed);

    assertThat(v2.version()).isEqualTo(2);
    assertThat(family(store.read(system, "Patient", v1.id()).resource()))
        .isEqualTo("Ashcombe-Vell");
    assertThat(family(store.vread(system, "Patient", v1.id(), 1).resource())).isEqualTo("Ashcombe");
    assertThat(family(store.vread(system, "Patient", v1.id(), 2).resource()))
        .isEqualTo("Ashcombe-Vell");
    assertThat(store.history(system, "Patient", v1.id()))
        .extracting(StoredResource::version)
        .containsExactly(2L, 1L);
    assertThatThrownBy(() -> store.vread(system, "Patient", v1.id(), 3))
        .isInstanceOf(RecordNotFoundException.class);
  }

  @Test
  void updateWhenAnotherWriterWasFirstThenVersionConflictAndNothingWritten() {
    StoredResource v1 = store.create(system, patient("Berenice", "Thistlewood"));
    Patient first = (Patient) v1.resource();
    first.getNameFirstRep().setFamily("Thistlewood-First");
    store.update(system, v1.id(), 1, first);

    Patient second = (Patient) v1.resource().copy();
    second.getNameFirstRep().setFamily("Thistlewood-Second");

    assertThatThrownBy(() -> store.update(system, v1.id(), 1, second))
        .isInstanceOf(VersionConflictException.class)
        .hasMessageContaining("version 2 is current")
        .message()
        .doesNotContain("Thistlewood");
    assertThat(store.history(system, "Patient", v1.id())).hasSize(2);
    assertThat(store.search(system, "Patient", SearchParameter.FAMILY, "Thistlewood-Second"))
        .isEmpty();
  }

  @Test
  void deleteThenReadIsGoneSearchNoLongerFindsItAndHistoryKeepsEveryVersion() {
    StoredResource created = store.create(system, patient("Clothilde", "Marchbanks"));
    assertThat(store.search(system, "Patient", SearchParameter.FAMILY, "Marchbanks")).hasSize(1);

    store.delete(system, "Patient", created.id());

    assertThatThrownBy(() -> store.read(system, "Patient", created.id()))
        .isInstanceOf(RecordDeletedException.class);
    assertThat(store.search(system, "Patient", SearchParameter.FAMILY, "Marchbanks")).isEmpty();
    List<StoredResource> history = store.history(system, "Patient", created.id());
    assertThat(history).extracting(StoredResource::version).containsExactly(2L, 1L);
    assertThat(history.get(0).deleted()).isTrue();
    assertThat(history.get(0).deletedBy()).hasValue("system:records-tests");
    assertThat(family(history.get(1).resource())).isEqualTo("Marchbanks");
    assertThat(family(store.vread(system, "Patient", created.id(), 1).resource()))
        .isEqualTo("Marchbanks");
    assertThatThrownBy(() -> store.vread(system, "Patient", created.id(), 2))
        .isInstanceOf(RecordDeletedException.class);
    assertThatThrownBy(() -> store.delete(system, "Patient", created.id()))
        .isInstanceOf(RecordDeletedException.class);
    Patient again = (Patient) history.get(1).resource();
    assertThatThrownBy(() -> store.update(system, created.id(), 2, again))
        .isInstanceOf(RecordDeletedException.class);
  }

  @Test
  void readWhenNoSuchResourceThenNotFound() {
    UUID nobody = UUID.randomUUID();
    assertThatThrownBy(() -> store.read(system, "Patient", nobody))
        .isInstanceOf(RecordNotFoundException.class)
        .hasMessage("Patient/" + nobody + " does not exist");
  }

  @Test
  void searchWhenValuesWrittenDifferentlyThenNormalizedValuesMatch() {
    Patient p = patient("Renee", "de la Fontaine");
    p.getIdentifier().clear();
    p.addIdentifier().setSystem("http://hl7.org/fhir/sid/us-ssn").setValue("912-55-0173");
    p.addIdentifier().setSystem("urn:phylax:mrn").setValue("mrn-7730-4411");
    p.setBirthDateElement(new DateType("1974-02-28"));
    p.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setValue("(555) 201-7788");
    p.addTelecom()
        .setSystem(ContactPoint.ContactPointSystem.EMAIL)
        .setValue("R.Fontaine@Example.org");
    p.addAddress()
        .setLine(List.of(new org.hl7.fhir.r4.model.StringType("12 Elm Row")))
        .setPostalCode("02139-4307");
    UUID id = store.create(system, p).id();
    store.create(system, patient("Rene", "Fontainebleau")); // near miss for every name search

    assertThat(ids(SearchParameter.GIVEN, "RENÉE")).containsExactly(id);
    assertThat(ids(SearchParameter.FAMILY, "De La  Fontaine")).containsExactly(id);
    assertThat(ids(SearchParameter.FAMILY, "fontaine")).containsExactly(id);
    assertThat(ids(SearchParameter.NAME, "Renée")).containsExactly(id);
    assertThat(ids(SearchParameter.IDENTIFIER, "912 55 0173")).containsExactly(id);
    assertThat(ids(SearchParameter.IDENTIFIER, "MRN 7730 4411")).containsExactly(id);
    assertThat(ids(SearchParameter.BIRTHDATE, "1974-02-28")).containsExactly(id);
    assertThat(ids(SearchParameter.PHONE, "+1 555 201 7788")).containsExactly(id);
    assertThat(ids(SearchParameter.PHONE, "555.201.7788")).containsExactly(id);
    assertThat(ids(SearchParameter.EMAIL, "r.fontaine@example.ORG")).containsExactly(id);
    assertThat(ids(SearchParameter.ADDRESS_POSTALCODE, "021394307")).containsExactly(id);
    assertThat(ids(SearchParameter.ADDRESS_POSTALCODE, "02139")).containsExactly(id);
    assertThat(
            store
                .searchDateRange(
                    system,
                    "Patient",
                    SearchParameter.BIRTHDATE,
                    LocalDate.of(1974, 2, 1),
                    LocalDate.of(1974, 2, 28))
                .stream()
                .map(StoredResource::id))
        .contains(id);
    assertThat(
            store
                .searchDateRange(
                    system,
                    "Patient",
                    SearchParameter.BIRTHDATE,
                    LocalDate.of(1974, 3, 1),
                    LocalDate.of(1974, 12, 31))
                .stream()
                .map(StoredResource::id))
        .doesNotContain(id);
    assertThatThrownBy(() -> ids(SearchParameter.BIRTHDATE, "02/28/1974"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("search parameter birthdate: not an ISO date (yyyy-MM-dd)");
    assertThatThrownBy(() -> store.search(system, "Observation", SearchParameter.FAMILY, "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("search parameter family does not apply to Observation");
  }

  @Test
  void searchWhenClinicalCodeAndDateThenFindsByEitherFormAndByRange() {
    UUID patient = store.create(system, patient("Isolde", "Penhallow")).id();
    UUID obs = store.create(system, observation(patient, "8867-4", "2023-05-17T08:30:00Z")).id();
    Condition condition = new Condition();
    condition.setSubject(new Reference("Patient/" + patient));
    condition.setCode(new CodeableConcept(new Coding("http://snomed.info/sct", "44054006", "")));
    condition.setOnset(new DateTimeType("2019-11-02"));
    UUID cond = store.create(system, condition).id();

    assertThat(clinical("Observation", SearchParameter.CODE, "http://loinc.org|8867-4"))
        .contains(obs);
    assertThat(clinical("Observation", SearchParameter.CODE, "8867-4")).contains(obs);
    assertThat(clinical("Observation", SearchParameter.DATE, "2023-05-17")).contains(obs);
    assertThat(clinical("Condition", SearchParameter.CODE, "44054006")).contains(cond);
    assertThat(clinical("Condition", SearchParameter.DATE, "2019-11-02")).contains(cond);
    assertThat(clinical("Condition", SearchParameter.DATE, "2019-11-03")).doesNotContain(cond);
    assertThat(
            store
                .searchDateRange(
                    system,
                    "Condition",
                    SearchParameter.DATE,
                    LocalDate.of(2019, 11, 1),
                    LocalDate.of(2020, 1, 1))
                .stream()
                .map(StoredResource::id))
        .contains(cond);
    StoredResource stored = store.read(system, "Observation", obs);
    assertThat(stored.patientId()).isEqualTo(patient);
  }

  @Test
  void createWhenClinicalResourceNamesNoExistingPatientThenRefusedNamingTheFieldNotTheValue() {
    UUID ghost = UUID.randomUUID();
    assertThatThrownBy(() -> store.create(system, observation(ghost, "8867-4", "2023-05-17")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Observation.subject references no existing Patient");
    Observation noSubject = observation(ghost, "8867-4", "2023-05-17");
    noSubject.setSubject(new Reference("Group/12"));
    assertThatThrownBy(() -> store.create(system, noSubject))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Observation.subject must be a reference Patient/<id>");
    assertThatThrownBy(() -> store.create(system, new org.hl7.fhir.r4.model.Basic()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the record store does not keep Basic resources");
  }

  @Test
  void searchTextWhenPrefixThenFindsWordStartsOfFamilyAndGivenCaseAndAccentInsensitive() {
    UUID smith = store.create(system, patient("Eulalia", "Smith")).id();
    UUID lower = store.create(system, patient("Tancred", "smith")).id();
    UUID hyphen = store.create(system, patient("Ione", "Vasquez-Smithers")).id();
    UUID given = store.create(system, patient("Smitha", "Harrow")).id();
    UUID inside = store.create(system, patient("Perrin", "Goldsmith")).id();
    UUID particle = store.create(system, patient("Ansel", "van der Berghe")).id();

    assertThat(text(SearchParameter.FAMILY, "smi", TextMatch.PREFIX))
        .containsExactlyInAnyOrder(smith, lower, hyphen);
    assertThat(text(SearchParameter.FAMILY, "SMÍ", TextMatch.PREFIX))
        .containsExactlyInAnyOrder(smith, lower, hyphen);
    assertThat(text(SearchParameter.GIVEN, "smi", TextMatch.PREFIX)).containsExactly(given);
    assertThat(text(SearchParameter.NAME, "Smi", TextMatch.PREFIX))
        .containsExactlyInAnyOrder(smith, lower, hyphen, given);
    assertThat(text(SearchParameter.NAME, "mit", TextMatch.PREFIX))
        .doesNotContain(smith, lower, hyphen, given, inside);
    assertThat(text(SearchParameter.FAMILY, "smithers", TextMatch.PREFIX)).containsExactly(hyphen);
    assertThat(text(SearchParameter.FAMILY, "vasquez-smith", TextMatch.PREFIX))
        .containsExactly(hyphen);
    assertThat(text(SearchParameter.FAMILY, "vasquez-smyth", TextMatch.PREFIX)).isEmpty();
    assertThat(text(SearchParameter.FAMILY, "vasquez-smithers", TextMatch.PREFIX))
        .as("the whole name, 16 characters: the longest prefix token")
        .containsExactly(hyphen);
    assertThat(text(SearchParameter.FAMILY, "vasquez-smithersx", TextMatch.PREFIX))
        .as("longer than the 16 characters of a prefix token: decided after decryption")
        .isEmpty();
    assertThat(text(SearchParameter.FAMILY, "van der b", TextMatch.PREFIX))
        .containsExactly(particle);
    assertThat(text(SearchParameter.FAMILY, "der berg", TextMatch.PREFIX))
        .containsExactly(particle);
    assertThat(text(SearchParameter.FAMILY, "berg", TextMatch.PREFIX)).containsExactly(particle);
    assertThat(ids(SearchParameter.FAMILY, "smi")).as("search keeps its exact meaning").isEmpty();
  }

  @Test
  void searchTextWhenExactThenMatchesTheWholeValueAsWritten() {
    UUID upper = store.create(system, patient("Oriel", "Dunmore")).id();
    UUID lower = store.create(system, patient("Oriel", "dunmore")).id();
    UUID accented = store.create(system, patient("Oriel", "Dünmore")).id();

    assertThat(text(SearchParameter.FAMILY, "Dunmore", TextMatch.EXACT)).containsExactly(upper);
    assertThat(text(SearchParameter.FAMILY, "dunmore", TextMatch.EXACT)).containsExactly(lower);
    assertThat(text(SearchParameter.NAME, "Dünmore", TextMatch.EXACT)).containsExactly(accented);
    assertThat(text(SearchParameter.FAMILY, "Dunmor", TextMatch.EXACT)).isEmpty();
    assertThat(text(SearchParameter.GIVEN, "Oriel", TextMatch.EXACT))
        .containsExactlyInAnyOrder(upper, lower, accented);
    assertThat(text(SearchParameter.FAMILY, "dunm", TextMatch.PREFIX))
        .containsExactlyInAnyOrder(upper, lower, accented);
  }

  @Test
  void searchTextWhenPrefixShorterThanTheMinimumThenRefusedNamingParameterNotValue() {
    assertThatThrownBy(() -> text(SearchParameter.FAMILY, "Sm", TextMatch.PREFIX))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("search parameter family needs at least 3 characters for a prefix search");
    assertThatThrownBy(() -> text(SearchParameter.NAME, " Ö ", TextMatch.PREFIX))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("search parameter name needs at least 3 characters for a prefix search");
    assertThatThrownBy(() -> text(SearchParameter.PHONE, "555", TextMatch.PREFIX))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("search parameter phone is not a string parameter");
    assertThatThrownBy(
            () ->
                store.searchText(
                    system, "Observation", SearchParameter.FAMILY, "smi", TextMatch.PREFIX))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("search parameter family does not apply to Observation");
  }

  @Test
  void searchTextWhenUpdatedDeletedOrOtherPatientThenOnlyCurrentPermittedNamesMatch() {
    StoredResource renamed = store.create(system, patient("Marisol", "Pemberthy"));
    Patient changed = (Patient) renamed.resource();
    changed.getNameFirstRep().setFamily("Quillfeather");
    store.update(system, renamed.id(), 1, changed);
    UUID deleted = store.create(system, patient("Marisol", "Pembrook")).id();
    store.delete(system, "Patient", deleted);
    UUID kept = store.create(system, patient("Marisol", "Pembury")).id();

    assertThat(text(SearchParameter.FAMILY, "pemb", TextMatch.PREFIX)).containsExactly(kept);
    assertThat(text(SearchParameter.FAMILY, "quill", TextMatch.PREFIX))
        .containsExactly(renamed.id());
    assertThat(
            store
                .searchText(
                    TestPermits.clinicianOf(renamed.id()),
                    "Patient",
                    SearchParameter.GIVEN,
                    "maris",
                    TextMatch.PREFIX)
                .stream()
                .map(StoredResource::id))
        .containsExactly(renamed.id());
  }

  @Test
  void searchWhenTokenWithSystemBarValueThenSystemMustMatch() {
    Patient p = patient("Gwendolen", "Astley");
    p.getIdentifier().clear();
    p.addIdentifier().setSystem("urn:phylax:mrn").setValue("mrn-5120-0098");
    p.addIdentifier().setValue("LOCAL-77-310");
    UUID id = store.create(system, p).id();
    Observation noSystem = observation(id, "x", "2022-01-01");
    noSystem.setCode(new CodeableConcept(new Coding(null, "local-4411", null)));
    UUID obs = store.create(system, noSystem).id();

    assertThat(ids(SearchParameter.IDENTIFIER, "urn:phylax:mrn|MRN 5120 0098")).containsExactly(id);
    assertThat(ids(SearchParameter.IDENTIFIER, "mrn-5120-0098")).containsExactly(id);
    assertThat(ids(SearchParameter.IDENTIFIER, "urn:other|mrn-5120-0098")).isEmpty();
    assertThat(ids(SearchParameter.IDENTIFIER, "|mrn-5120-0098")).isEmpty();
    assertThat(ids(SearchParameter.IDENTIFIER, "|local 77 310")).containsExactly(id);
    assertThat(clinical("Observation", SearchParameter.CODE, "|local-4411")).containsExactly(obs);
    assertThat(clinical("Observation", SearchParameter.CODE, "local-4411")).containsExactly(obs);
    assertThat(clinical("Observation", SearchParameter.CODE, "http://loinc.org|local-4411"))
        .isEmpty();
    assertThatThrownBy(() -> ids(SearchParameter.IDENTIFIER, "urn:phylax:mrn|"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("search parameter identifier: a value is needed after the system");
  }

  @Test
  void permitWhenForAnotherPatientThenEveryOperationIsRefusedAndSearchSeesOnlyItsPatient() {
    UUID mine = store.create(system, patient("Wilhelmina", "Crabtree")).id();
    UUID theirs = store.create(system, patient("Wilhelmina", "Crabtree")).id();
    Permit permit = TestPermits.clinicianOf(mine);

    assertThat(store.read(permit, "Patient", mine).id()).isEqualTo(mine);
    assertThatThrownBy(() -> store.read(permit, "Patient", theirs))
        .isInstanceOf(NotPermittedException.class)
        .hasMessage(
            "the permit of user:test-clinician does not cover the patient of Patient/" + theirs);
    assertThatThrownBy(() -> store.vread(permit, "Patient", theirs, 1))
        .isInstanceOf(NotPermittedException.class);
    assertThatThrownBy(() -> store.history(permit, "Patient", theirs))
        .isInstanceOf(NotPermittedException.class);
    assertThatThrownBy(() -> store.update(permit, theirs, 1, patient("Mallory", "Crabtree")))
        .isInstanceOf(NotPermittedException.class);
    assertThatThrownBy(() -> store.delete(permit, "Patient", theirs))
        .isInstanceOf(NotPermittedException.class);
    assertThatThrownBy(() -> store.create(permit, observation(theirs, "8867-4", "2024-01-01")))
        .isInstanceOf(NotPermittedException.class);
    assertThat(
            store.search(permit, "Patient", SearchParameter.FAMILY, "Crabtree").stream()
                .map(StoredResource::id))
        .containsExactly(mine);
    assertThat(
            store.search(system, "Patient", SearchParameter.FAMILY, "Crabtree").stream()
                .map(StoredResource::id))
        .containsExactlyInAnyOrder(mine, theirs);
    assertThat(store.read(system, "Patient", theirs).version()).isEqualTo(1);
  }

  @Test
  void searchPageWhenTokensDecideThenCountedAndPagedByTheDatabaseLikeTheFullSearch() {
    List<UUID> made = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      made.add(store.create(system, patient("Ottilie" + i, "Brackenwold")).id());
    }
    store.create(system, patient("Ottilie", "Brackenfield"));
    UUID other = store.create(system, patient("Ottilie", "Brackenwoldson")).id();
    made.add(other);
    RecordQuery prefix =
        RecordQuery.of("Patient")
            .text(SearchParameter.FAMILY, List.of("brackenw"), TextMatch.PREFIX)
            .build();
    List<UUID> full = store.search(system, prefix).stream().map(StoredResource::id).toList();
    assertThat(full).containsExactlyElementsOf(made);
    List<UUID> paged = new ArrayList<>();
    for (int offset = 0; offset < 12; offset += 3) {
      RecordStore.SearchPage page = store.searchPage(system, prefix, true, offset, 3).orElseThrow();
      assertThat(page.total()).isEqualTo(8);
      assertThat(page.resources()).hasSizeLessThanOrEqualTo(3);
      page.resources().forEach(r -> paged.add(r.id()));
    }
    assertThat(paged).containsExactlyElementsOf(full);
    // A permit of one patient counts only theirs.
    RecordStore.SearchPage mine =
        store.searchPage(TestPermits.clinicianOf(other), prefix, true, 0, 10).orElseThrow();
    assertThat(mine.total()).isEqualTo(1);
    assertThat(mine.resources()).extracting(StoredResource::id).containsExactly(other);
    // Longer prefixes, up to 16 characters, are decided by their own tokens too.
    RecordStore.SearchPage whole = familyPage("Brackenwold", TextMatch.PREFIX).orElseThrow();
    assertThat(whole.total()).isEqualTo(8);
    assertThat(whole.resources()).extracting(StoredResource::id).containsExactlyElementsOf(made);
    RecordStore.SearchPage longer = familyPage("brackenwolds", TextMatch.PREFIX).orElseThrow();
    assertThat(longer.total()).isEqualTo(1);
    assertThat(longer.resources()).extracting(StoredResource::id).containsExactly(other);
    // Where the tokens only narrow, the database does not decide: a prefix longer than the
    // indexed sixteen characters, a text compared as written, a date, a sort.
    assertThat(familyPage("brackenwoldshires", TextMatch.PREFIX)).isEmpty();
    assertThat(familyPage("Brackenwold", TextMatch.EXACT)).isEmpty();
    assertThat(
            store.searchPage(
                system,
                RecordQuery.of("Observation")
                    .dateRange(
                        SearchParameter.DATE,
                        java.time.LocalDate.of(2023, 1, 1),
                        java.time.LocalDate.of(2023, 12, 31))
                    .build(),
                true,
                0,
                10))
        .isEmpty();
  }

  /** The first 20 of a family-name search, counted and paged by the database if it can. */
  private java.util.Optional<RecordStore.SearchPage> familyPage(String value, TextMatch match) {
    return store.searchPage(
        system,
        RecordQuery.of("Patient").text(SearchParameter.FAMILY, List.of(value), match).build(),
        true,
        0,
        20);
  }

  @Test
  void searchQueryWhenSeveralCriteriaThenAllMustHoldAndDatesSort() {
    UUID a = store.create(system, patient("Philippa", "Quernmoor")).id();
    UUID b = store.create(system, patient("Quentin", "Quernmoor")).id();
    UUID a1 = store.create(system, observation(a, "2339-0", "2023-05-01")).id();
    UUID a2 = store.create(system, observation(a, "2339-0", "2023-07-01")).id();
    store.create(system, observation(a, "2345-7", "2023-06-01"));
    UUID b1 = store.create(system, observation(b, "2339-0", "2023-06-15")).id();

    RecordQuery query =
        RecordQuery.of("Observation")
            .equalsAny(SearchParameter.CODE, List.of("http://loinc.org|2339-0"))
            .dateRange(
                SearchParameter.DATE,
                java.time.LocalDate.of(2023, 5, 1),
                java.time.LocalDate.of(2023, 6, 30))
            .sort(new RecordQuery.Sort(SearchParameter.DATE, true))
            .build();
    assertThat(store.search(system, query).stream().map(StoredResource::id))
        .containsExactly(b1, a1);
    // A permit of one patient sees only theirs; a patient criterion narrows the same way.
    assertThat(store.search(TestPermits.clinicianOf(a), query).stream().map(StoredResource::id))
        .containsExactly(a1);
    RecordQuery ofA =
        RecordQuery.of("Observation")
            .patient(a)
            .equalsAny(SearchParameter.CODE, List.of("2339-0", "9999-9"))
            .build();
    assertThat(store.search(system, ofA).stream().map(StoredResource::id)).containsExactly(a1, a2);
    RecordQuery names =
        RecordQuery.of("Patient")
            .text(SearchParameter.FAMILY, List.of("quernm"), TextMatch.PREFIX)
            .text(SearchParameter.GIVEN, List.of("Quentin"), TextMatch.EXACT)
            .build();
    assertThat(store.search(system, names).stream().map(StoredResource::id)).containsExactly(b);
  }

  @Test
  void recordQueryWhenPrefixTooShortOrNothingToSearchByThenRefusedNamingNoValue() {
    assertThatThrownBy(
            () ->
                RecordQuery.of("Patient")
                    .text(SearchParameter.NAME, List.of("Qu"), TextMatch.PREFIX))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("search parameter name needs at least 3 characters for a prefix search");
    assertThatThrownBy(() -> RecordQuery.of("Patient").build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> RecordQuery.of("Patient").equalsAny(SearchParameter.CODE, List.of("x")))
        .hasMessage("search parameter code does not apply to Patient");
  }

  @Test
  void listOfPatientWhenPagedThenCreationOrderAndCountWithoutOthers() {
    UUID mine = store.create(system, patient("Rosamund", "Yarrowby")).id();
    UUID other = store.create(system, patient("Rufus", "Yarrowby")).id();
    List<UUID> created = new java.util.ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      created.add(store.create(system, observation(mine, "8867-4", "2024-02-0" + i)).id());
    }
    store.create(system, observation(other, "8867-4", "2024-02-01"));
    store.delete(system, "Observation", created.get(4));
    Permit permit = TestPermits.clinicianOf(mine);

    assertThat(store.countOfPatient(permit, "Observation", mine)).isEqualTo(4);
    assertThat(
            store.listOfPatient(permit, "Observation", mine, 1, 2).stream().map(StoredResource::id))
        .containsExactly(created.get(1), created.get(2));
    assertThat(store.listOfPatient(permit, "Observation", mine, 4, 10)).isEmpty();
    assertThatThrownBy(() -> store.listOfPatient(permit, "Observation", other, 0, 10))
        .isInstanceOf(NotPermittedException.class);
    assertThatThrownBy(() -> store.countOfPatient(permit, "Observation", other))
        .isInstanceOf(NotPermittedException.class);
  }

  @Test
  void searchWhenStatusGenderAndReferencesThenFoundByTheirTokens() {
    Practitioner gp = new Practitioner();
    gp.addName().setFamily("Sallowfield");
    UUID practitioner = store.create(system, gp).id();
    Patient p = patient("Tabitha", "Umbergate");
    p.addGeneralPractitioner(new Reference("Practitioner/" + practitioner));
    UUID patient = store.create(system, p).id();
    Encounter visit = new Encounter();
    visit.setStatus(Encounter.EncounterStatus.FINISHED);
    visit.setSubject(new Reference("Patient/" + patient));
    UUID encounter = store.create(system, visit).id();
    Observation o = observation(patient, "8867-4", "2024-03-01");
    o.setStatus(Observation.ObservationStatus.AMENDED);
    o.setEncounter(new Reference("Encounter/" + encounter));
    UUID observation = store.create(system, o).id();

    assertThat(
            store.search(
                system,
                "Patient",
                SearchParameter.GENERAL_PRACTITIONER,
                "Practitioner/" + practitioner.toString().toUpperCase(java.util.Locale.ROOT)))
        .extracting(StoredResource::id)
        .containsExactly(patient);
    assertThat(
            store.search(
                TestPermits.clinicianOf(patient), "Patient", SearchParameter.GENDER, "FEMALE"))
        .extracting(StoredResource::id)
        .containsExactly(patient);
    assertThat(store.search(system, "Observation", SearchParameter.ENCOUNTER, encounter.toString()))
        .extracting(StoredResource::id)
        .containsExactly(observation);
    assertThat(
            store.search(
                TestPermits.clinicianOf(patient), "Observation", SearchParameter.STATUS, "amended"))
        .extracting(StoredResource::id)
        .containsExactly(observation);
    assertThatThrownBy(
            () -> store.search(system, "Patient", SearchParameter.GENERAL_PRACTITIONER, "Dr Who"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("general-practitioner")
        .message()
        .doesNotContain("Who");
  }

  @Test
  void readWhenCiphertextCopiedFromAnotherPatientThenIntegrityFailureNotData() {
    UUID donor = store.create(system, patient("Euphemia", "Blackwood")).id();
    UUID victim = store.create(system, patient("Hortensia", "Greenhalgh")).id();
    JdbcClient jdbc = phylax.bean(JdbcClient.class);
    jdbc.sql(
            "update record_resource set body = (select body from record_resource where id = ?)"
                + " where id = ?")
        .params(donor, victim)
        .update();

    assertThatThrownBy(() -> store.read(system, "Patient", victim))
        .isInstanceOf(RecordIntegrityException.class)
        .hasMessage(
            "Patient/"
                + victim
                + "/_history/1: the stored body failed its integrity check and was not returned")
        .cause()
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining(
            "encrypted value failed its integrity check: altered, moved from another place");
    assertThatThrownBy(() -> store.search(system, "Patient", SearchParameter.FAMILY, "Greenhalgh"))
        .isInstanceOf(RecordIntegrityException.class)
        .message()
        .doesNotContain("Euphemia", "Blackwood", "Hortensia", "Greenhalgh");
    assertThat(family(store.read(system, "Patient", donor).resource())).isEqualTo("Blackwood");
  }

  @Test
  void toStringWhenResourceHoldsPhiThenPrintsOnlyIdsAndVersion() {
    StoredResource created = store.create(system, patient("Philippa", "Wolstenholme"));
    assertThat(created.toString())
        .isEqualTo(
            "StoredResource[Patient/"
                + created.id()
                + "/_history/1, patient="
                + created.id()
                + ", body=***]")
        .doesNotContain("Philippa", "Wolstenholme");
  }

  private List<UUID> ids(SearchParameter parameter, String value) {
    return store.search(system, "Patient", parameter, value).stream()
        .map(StoredResource::id)
        .toList();
  }

  private List<UUID> text(SearchParameter parameter, String value, TextMatch match) {
    return store.searchText(system, "Patient", parameter, value, match).stream()
        .map(StoredResource::id)
        .toList();
  }

  @Test
  void historyWhenScopedThenOnlyCoveredVersionsNewestFirstPagedAndSince() {
    java.time.Instant since = java.time.Instant.now();
    UUID mine = store.create(system, patient("Perpetua", "Glenholme")).id();
    UUID theirs = store.create(system, patient("Caius", "Glenholme")).id();
    StoredResource first = store.create(system, observation(mine, "8867-4", "2024-05-01"));
    Observation next = (Observation) first.resource().copy();
    next.setStatus(Observation.ObservationStatus.AMENDED);
    store.update(system, first.id(), 1, next);
    store.create(system, observation(theirs, "8867-4", "2024-05-02"));
    Practitioner p = new Practitioner();
    p.addName().setFamily("Glenholme");
    UUID directory = store.create(system, p).id();
    org.hl7.fhir.r4.model.Medication m = new org.hl7.fhir.r4.model.Medication();
    m.getCode().setText("drops");
    store.create(system, m);
    store.delete(system, "Observation", first.id());

    Permit one = TestPermits.clinicianOf(mine);
    List<RecordStore.HistoryScope> scopes =
        List.of(
            new RecordStore.HistoryScope("Patient", one, false),
            new RecordStore.HistoryScope("Observation", one, false),
            new RecordStore.HistoryScope("Practitioner", one, true),
            new RecordStore.HistoryScope("Medication", one, false));
    List<String> versions =
        store.history(scopes, since, 0, 50).stream()
            .map(
                r -> r.resourceType() + "/" + r.id() + "/" + r.version() + (r.deleted() ? "x" : ""))
            .toList();
    assertThat(versions)
        .containsExactly(
            "Observation/" + first.id() + "/3x",
            "Practitioner/" + directory + "/1",
            "Observation/" + first.id() + "/2",
            "Observation/" + first.id() + "/1",
            "Patient/" + mine + "/1");
    assertThat(store.historyCount(scopes, since)).isEqualTo(5);
    assertThat(store.history(scopes, since, 1, 2))
        .extracting(StoredResource::version)
        .containsExactly(1L, 2L);
    assertThat(store.history(scopes, java.time.Instant.now(), 0, 50)).isEmpty();
    // A permit of every patient, without resources of no patient: both patients' Observations.
    assertThat(
            store.historyCount(
                List.of(new RecordStore.HistoryScope("Observation", system, false)), since))
        .isEqualTo(4);
    assertThat(store.historyCount(List.of(), since)).isZero();
  }

  private List<UUID> clinical(String type, SearchParameter parameter, String value) {
    return store.search(system, type, parameter, value).stream().map(StoredResource::id).toList();
  }
}
