package org.phylax.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.phylax.fhir.FhirApiIntegrationTests.json;
import static org.phylax.fhir.FhirApiIntegrationTests.link;
import static org.phylax.fhir.FhirApiIntegrationTests.outcome;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.access.Permit;
import org.phylax.access.SystemAccess;
import org.phylax.identity.Accounts;
import org.phylax.identity.Actor;
import org.phylax.identity.NewAccount;
import org.phylax.identity.Role;
import org.phylax.oauth.UserTokens;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.TestServers;
import org.phylax.records.RecordStore;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * FHIR search as clients use it, over real HTTP with real bearer tokens, against the encrypted
 * store: string prefixes and :exact, accents, dates with prefixes, identifier forms, gender,
 * general-practitioner, a patient's whole record of a type, ANDed parameters, status, encounter,
 * Appointment actor, paging with totals, _summary=count, _elements, _sort, _include, errors, and
 * searches that must answer as if the patients one may not see did not exist.
 */
class FhirSearchIntegrationTests {

  @TempDir static Path dir;
  static PhylaxServer server;
  static JdbcTemplate jdbc;
  static final HttpClient http = HttpClient.newHttpClient();
  static final String PASSWORD = "violet-harbour-tractor-47";
  static String physician;
  static String stranger;
  static String frontDesk;
  static UUID catalogMedication;
  static UUID doctor;
  static UUID smith;
  static UUID smithers;
  static UUID smitty;
  static UUID muller;
  static UUID lowerSmith;
  static UUID hidden;
  static UUID encounter;
  static final List<UUID> smithObservations = new ArrayList<>();

  @BeforeAll
  static void start() {
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    server = TestServers.dev(dir);
    jdbc = server.context().getBean(JdbcTemplate.class);
    RecordStore store = server.context().getBean(RecordStore.class);
    Permit system = server.context().getBean(SystemAccess.class).forTask("test");
    doctor = store.create(system, practitioner("Oakhart")).id();
    UUID other = store.create(system, practitioner("Elmsworth")).id();
    smith =
        store
            .create(
                system,
                patient("Smith", "Anna", AdministrativeGender.FEMALE, "1980-04-02", doctor)
                    .addIdentifier(
                        new org.hl7.fhir.r4.model.Identifier()
                            .setSystem("http://hospital.example/mrn")
                            .setValue("MRN-1001")))
            .id();
    smithers =
        store
            .create(
                system,
                patient("Smithers", "Bob", AdministrativeGender.MALE, "1975-06-01", doctor)
                    .addIdentifier(new org.hl7.fhir.r4.model.Identifier().setValue("X-77")))
            .id();
    smitty =
        store
            .create(
                system, patient("Jones", "Smitty", AdministrativeGender.MALE, "1990-01-15", doctor))
            .id();
    muller =
        store
            .create(
                system, patient("Müller", "Hanna", AdministrativeGender.FEMALE, "1985-07", doctor))
            .id();
    lowerSmith =
        store
            .create(
                system, patient("smith", "Carl", AdministrativeGender.OTHER, "1980-11-30", doctor))
            .id();
    hidden =
        store
            .create(
                system,
                patient("Hiddenbrook", "Ivo", AdministrativeGender.MALE, "1970-01-01", other))
            .id();

    for (int day = 1; day <= 5; day++) {
      smithObservations.add(
          store
              .create(system, observation(smith, "8867-4", "2024-01-0" + day, "final", null))
              .id());
    }
    smithObservations.add(
        store.create(system, observation(smith, "8310-5", "2023-06-01", "preliminary", null)).id());
    Encounter visit = new Encounter();
    visit.setStatus(Encounter.EncounterStatus.FINISHED);
    visit.setSubject(new Reference("Patient/" + smithers));
    encounter = store.create(system, visit).id();
    store.create(system, observation(smithers, "8867-4", "2024-01-03", "final", encounter));
    store.create(system, observation(smithers, "8867-4", "2024-01-03", "final", null));
    store.create(system, observation(hidden, "8867-4", "2024-01-03", "final", null));

    Appointment appointment = new Appointment();
    appointment.setStatus(Appointment.AppointmentStatus.BOOKED);
    appointment.setStartElement(new InstantType("2024-02-01T09:00:00Z"));
    appointment.setEndElement(new InstantType("2024-02-01T09:20:00Z"));
    appointment.addParticipant().setActor(new Reference("Patient/" + smitty));
    appointment.addParticipant().setActor(new Reference("Practitioner/" + doctor));
    store.create(system, appointment);

    Accounts accounts = server.context().getBean(Accounts.class);
    UserTokens tokens = server.context().getBean(UserTokens.class);
    Actor admin = Actor.operator("tester");
    accounts.create(
        NewAccount.builder("dr-oakhart")
            .role(Role.PHYSICIAN)
            .practitioner(doctor)
            .password(PASSWORD)
            .build(),
        admin);
    accounts.create(
        NewAccount.builder("dr-elmsworth")
            .role(Role.PHYSICIAN)
            .practitioner(other)
            .password(PASSWORD)
            .build(),
        admin);
    accounts.create(
        NewAccount.builder("desk-search").role(Role.FRONT_DESK).password(PASSWORD).build(), admin);
    physician = tokens.issue("dr-oakhart", Duration.ofMinutes(15), "tester").token();
    stranger = tokens.issue("dr-elmsworth", Duration.ofMinutes(15), "tester").token();
    frontDesk = tokens.issue("desk-search", Duration.ofMinutes(15), "tester").token();
    org.hl7.fhir.r4.model.Medication catalog = new org.hl7.fhir.r4.model.Medication();
    catalog
        .getCode()
        .addCoding()
        .setSystem("http://www.nlm.nih.gov/research/umls/rxnorm")
        .setCode("197361");
    catalogMedication = store.create(system, catalog).id();
  }

  @Test
  void searchWhenRolesDoNotReachTheTypeThenItsResourcesOfNoPatientStayHidden() throws Exception {
    // The medication catalog is no patient's: a physician searches it, the front desk may not.
    assertThat(ids(ok("/fhir/Medication?code=197361"))).contains(catalogMedication.toString());
    HttpResponse<String> desk = get("/fhir/Medication?code=197361", frontDesk);
    assertThat(desk.statusCode()).as(desk.body()).isEqualTo(200);
    assertThat(JsonParser.parseString(desk.body()).getAsJsonObject().get("total").getAsInt())
        .isZero();
    HttpResponse<String> byId = get("/fhir/Medication?_id=" + catalogMedication, frontDesk);
    assertThat(JsonParser.parseString(byId.body()).getAsJsonObject().get("total").getAsInt())
        .isZero();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    System.clearProperty("phylax.audit.checkpoint-poll");
  }

  @Test
  void nameWhenPrefixThenFamilyAndGivenNamesMatchByWordStart() throws Exception {
    assertThat(ids(ok("/fhir/Patient?name=smi")))
        .containsExactlyInAnyOrder(ids(smith, smithers, smitty, lowerSmith));
    assertThat(ids(ok("/fhir/Patient?family=SMI")))
        .containsExactlyInAnyOrder(ids(smith, smithers, lowerSmith));
    assertThat(ids(ok("/fhir/Patient?given=smit"))).containsExactly(smitty.toString());
    assertThat(ids(ok("/fhir/Patient?family=smithe"))).containsExactly(smithers.toString());
    assertThat(ids(ok("/fhir/Patient?name=mit"))).isEmpty();
    // Comma: alternatives.
    assertThat(ids(ok("/fhir/Patient?family=jon,mul")))
        .containsExactlyInAnyOrder(ids(smitty, muller));
  }

  @Test
  void nameWhenAccentsDifferThenStillFound() throws Exception {
    assertThat(ids(ok("/fhir/Patient?name=muller"))).containsExactly(muller.toString());
    assertThat(ids(ok("/fhir/Patient?family=" + enc("MÜL")))).containsExactly(muller.toString());
  }

  @Test
  void familyWhenExactThenCaseAndAccentsCount() throws Exception {
    assertThat(ids(ok("/fhir/Patient?family:exact=Smith"))).containsExactly(smith.toString());
    assertThat(ids(ok("/fhir/Patient?family:exact=smith"))).containsExactly(lowerSmith.toString());
    assertThat(ids(ok("/fhir/Patient?family:exact=Smit"))).isEmpty();
    assertThat(ids(ok("/fhir/Patient?family:exact=" + enc("Müller"))))
        .containsExactly(muller.toString());
    assertThat(ids(ok("/fhir/Patient?family:exact=Muller"))).isEmpty();
  }

  @Test
  void nameWhenShorterThanThreeThen400NamingParameterAndMinimum() throws Exception {
    HttpResponse<String> shortName = get("/fhir/Patient?name=sm", physician);
    assertThat(shortName.statusCode()).as(shortName.body()).isEqualTo(400);
    assertThat(outcome(shortName)).contains("name").contains("3").doesNotContain("=sm");
    // Nothing ran: the refused search is not even audited.
    assertThat(
            jdbc.queryForObject(
                "select count(*) from audit_event where action = 'SEARCH'"
                    + " and entity_type = 'Patient' and outcome = 'DENY'",
                Long.class))
        .isZero();
  }

  @Test
  void birthdateWhenPrefixedYearsThenRanges() throws Exception {
    assertThat(ids(ok("/fhir/Patient?birthdate=1980")))
        .containsExactlyInAnyOrder(ids(smith, lowerSmith));
    assertThat(ids(ok("/fhir/Patient?birthdate=eq1980-04-02"))).containsExactly(smith.toString());
    assertThat(ids(ok("/fhir/Patient?birthdate=ge1985")))
        .containsExactlyInAnyOrder(ids(smitty, muller));
    assertThat(ids(ok("/fhir/Patient?birthdate=le1979"))).containsExactly(smithers.toString());
    assertThat(ids(ok("/fhir/Patient?birthdate=gt1980&birthdate=lt1990")))
        .containsExactly(muller.toString());
    assertThat(ids(ok("/fhir/Patient?birthdate=1985-07-10"))).containsExactly(muller.toString());
  }

  @Test
  void identifierWhenWithAndWithoutSystemThenTokenForms() throws Exception {
    assertThat(ids(ok("/fhir/Patient?identifier=" + enc("http://hospital.example/mrn|MRN-1001"))))
        .containsExactly(smith.toString());
    assertThat(ids(ok("/fhir/Patient?identifier=mrn1001"))).containsExactly(smith.toString());
    assertThat(ids(ok("/fhir/Patient?identifier=" + enc("|X-77"))))
        .containsExactly(smithers.toString());
    assertThat(ids(ok("/fhir/Patient?identifier=" + enc("http://hospital.example/mrn|X-77"))))
        .isEmpty();
    assertThat(ids(ok("/fhir/Patient?identifier=" + enc("|MRN-1001")))).isEmpty();
  }

  @Test
  void genderAndGeneralPractitionerWhenCombinedWithNameThenAnded() throws Exception {
    assertThat(ids(ok("/fhir/Patient?gender=female")))
        .containsExactlyInAnyOrder(ids(smith, muller));
    assertThat(ids(ok("/fhir/Patient?gender=male&name=smi")))
        .containsExactlyInAnyOrder(ids(smithers, smitty));
    assertThat(
            ok("/fhir/Patient?general-practitioner=Practitioner/" + doctor).get("total").getAsInt())
        .isEqualTo(5);
  }

  @Test
  void patientAloneWhenRelatedThenWholeRecordOfTheTypeElse403() throws Exception {
    JsonObject all = ok("/fhir/Observation?patient=Patient/" + smith);
    assertThat(all.get("total").getAsInt()).isEqualTo(6);
    assertThat(ids(all)).containsExactlyElementsOf(strings(smithObservations));
    assertThat(ids(ok("/fhir/Observation?subject=" + smith)))
        .containsExactlyElementsOf(strings(smithObservations));

    HttpResponse<String> refused = get("/fhir/Observation?patient=Patient/" + smith, stranger);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
    assertThat(outcome(refused)).contains("NO_RELATIONSHIP");
  }

  @Test
  void codeAndDateWhenCombinedThenIntersectionOfWhatTheCallerMaySee() throws Exception {
    JsonObject both = ok("/fhir/Observation?code=8867-4&date=ge2024-01-02&date=le2024-01-04");
    // Smith's 2nd to 4th, both of Smithers'; the hidden patient's is not counted.
    assertThat(both.get("total").getAsInt()).isEqualTo(5);
    assertThat(
            ok("/fhir/Observation?code=" + enc("http://loinc.org|8867-4") + "&date=2024-01-03")
                .get("total")
                .getAsInt())
        .isEqualTo(3);
    assertThat(ok("/fhir/Observation?code=8867-4&date=2023").get("total").getAsInt()).isZero();
    assertThat(ids(ok("/fhir/Observation?status=preliminary")))
        .containsExactly(smithObservations.get(5).toString());
    assertThat(ok("/fhir/Observation?status=final&patient=" + smithers).get("total").getAsInt())
        .isEqualTo(2);
    assertThat(ok("/fhir/Observation?encounter=Encounter/" + encounter).get("total").getAsInt())
        .isEqualTo(1);
    JsonObject appointments =
        ok("/fhir/Appointment?actor=Practitioner/" + doctor + "&status=booked&date=2024-02");
    assertThat(appointments.get("total").getAsInt()).isEqualTo(1);
    assertThat(ok("/fhir/Appointment?status=cancelled").get("total").getAsInt()).isZero();
  }

  @Test
  void countWhenPagingThenPagesStableAndTotalRight() throws Exception {
    for (String query :
        List.of("/fhir/Observation?patient=" + smith, "/fhir/Observation?code=8867-4")) {
      List<String> seen = new ArrayList<>();
      JsonObject page = ok(query + "&_count=2");
      int total = page.get("total").getAsInt();
      while (true) {
        assertThat(page.get("total").getAsInt()).isEqualTo(total);
        assertThat(ids(page).size()).isLessThanOrEqualTo(2);
        seen.addAll(ids(page));
        String next = link(page, "next");
        if (next == null) {
          break;
        }
        page = json(get(next, physician));
      }
      assertThat(seen).doesNotHaveDuplicates().hasSize(total);
      // A second run pages in the same order.
      assertThat(ids(ok(query + "&_count=2&_offset=2")))
          .containsExactlyElementsOf(seen.subList(2, 4));
    }
    assertThat(ok("/fhir/Observation?code=8867-4").get("total").getAsInt()).isEqualTo(7);
  }

  /**
   * The answer leaves in few, full writes. HAPI's JSON encoder flushes after every string it
   * writes; each flush used to become an HTTP chunk (and a TCP segment) of its own, tens of bytes
   * long, which cost an 80 KB Bundle some 40 ms on the wire.
   */
  @Test
  void searchAnswerWhenEncodedThenSentInFewChunksNotOnePerValue() throws Exception {
    byte[] raw;
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket
          .getOutputStream()
          .write(
              ("GET /fhir/Observation?patient="
                      + smith
                      + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/fhir+json\r\n"
                      + "Authorization: Bearer "
                      + physician
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      raw = socket.getInputStream().readAllBytes();
    }
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    int split = text.indexOf("\r\n\r\n");
    String head = text.substring(0, split).toLowerCase(java.util.Locale.ROOT);
    String rest = text.substring(split + 4);
    assertThat(head).startsWith("http/1.1 200");
    List<Integer> chunks = new ArrayList<>();
    if (head.contains("transfer-encoding: chunked")) {
      int at = 0;
      while (true) {
        int eol = rest.indexOf("\r\n", at);
        int size = Integer.parseInt(rest.substring(at, eol).strip(), 16);
        if (size == 0) {
          break;
        }
        chunks.add(size);
        at = eol + 2 + size + 2;
      }
    } else {
      chunks.add(rest.length());
    }
    int body = chunks.stream().mapToInt(Integer::intValue).sum();
    assertThat(body).as("a Bundle of six Observations").isGreaterThan(3000);
    assertThat(chunks).as("chunk sizes").hasSizeLessThanOrEqualTo(1 + body / 4096);
  }

  @Test
  void summaryCountWhenAskedThenTotalOnly() throws Exception {
    JsonObject counted = ok("/fhir/Observation?patient=" + smith + "&_summary=count");
    assertThat(counted.get("total").getAsInt()).isEqualTo(6);
    assertThat(counted.has("entry")).isFalse();
    JsonObject names = ok("/fhir/Patient?name=smi&_summary=count");
    assertThat(names.get("total").getAsInt()).isEqualTo(4);
    assertThat(names.has("entry")).isFalse();
  }

  @Test
  void elementsWhenIdAndCodeThenOnlyThoseElements() throws Exception {
    JsonObject bundle = ok("/fhir/Observation?patient=" + smith + "&_elements=id,code");
    assertThat(bundle.getAsJsonArray("entry")).hasSize(6);
    for (JsonElement e : bundle.getAsJsonArray("entry")) {
      JsonObject r = e.getAsJsonObject().getAsJsonObject("resource");
      assertThat(r.has("id")).isTrue();
      assertThat(r.has("code")).isTrue();
      assertThat(r.has("valueQuantity")).isFalse();
      assertThat(r.has("effectiveDateTime")).isFalse();
      assertThat(r.has("subject")).isFalse();
    }
  }

  @Test
  void sortWhenDescendingDateThenNewestFirst() throws Exception {
    JsonObject bundle = ok("/fhir/Observation?patient=" + smith + "&_sort=-date");
    List<String> dates = new ArrayList<>();
    for (JsonElement e : bundle.getAsJsonArray("entry")) {
      dates.add(
          e.getAsJsonObject().getAsJsonObject("resource").get("effectiveDateTime").getAsString());
    }
    assertThat(dates)
        .containsExactly(
            "2024-01-05", "2024-01-04", "2024-01-03", "2024-01-02", "2024-01-01", "2023-06-01");
    JsonObject ascending = ok("/fhir/Observation?code=8867-4&patient=" + smith + "&_sort=date");
    assertThat(ids(ascending)).containsExactlyElementsOf(strings(smithObservations.subList(0, 5)));
    JsonObject patients = ok("/fhir/Patient?name=smi&_sort=birthdate");
    assertThat(ids(patients)).containsExactly(ids(smithers, smith, lowerSmith, smitty));
    HttpResponse<String> bad = get("/fhir/Observation?code=8867-4&_sort=code", physician);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(outcome(bad)).contains("_sort takes date or -date");
  }

  @Test
  void includeWhenSubjectThenEachPatientOnceAndDisclosed() throws Exception {
    long before = disclosures(smithers);
    JsonObject bundle = ok("/fhir/Observation?code=8867-4&_include=Observation:subject");
    List<String> matches = new ArrayList<>();
    List<String> included = new ArrayList<>();
    for (JsonElement e : bundle.getAsJsonArray("entry")) {
      JsonObject entry = e.getAsJsonObject();
      String mode = entry.getAsJsonObject("search").get("mode").getAsString();
      JsonObject resource = entry.getAsJsonObject("resource");
      if (mode.equals("include")) {
        assertThat(resource.get("resourceType").getAsString()).isEqualTo("Patient");
        included.add(resource.get("id").getAsString());
      } else {
        matches.add(resource.get("id").getAsString());
      }
    }
    assertThat(matches).hasSize(7);
    assertThat(bundle.get("total").getAsInt()).isEqualTo(7);
    assertThat(included).containsExactlyInAnyOrder(ids(smith, smithers));
    assertThat(disclosures(smithers)).isEqualTo(before + 1);
    assertThat(ok("/fhir/Observation?code=8867-4&_include=Observation:patient").toString())
        .contains("\"include\"");
    HttpResponse<String> bad =
        get("/fhir/Observation?code=8867-4&_include=Observation:performer", physician);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(outcome(bad)).contains("Observation:performer").contains("Observation:subject");
  }

  @Test
  void unknownParameterOrModifierThen400NamingIt() throws Exception {
    HttpResponse<String> unknown = get("/fhir/Observation?flavour=Zanzibarine", physician);
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(outcome(unknown)).contains("flavour").doesNotContain("Zanzibarine");
    HttpResponse<String> modifier = get("/fhir/Patient?family:contains=Zanzibarine", physician);
    assertThat(modifier.statusCode()).isEqualTo(400);
    assertThat(outcome(modifier)).contains(":contains").doesNotContain("Zanzibarine");
    HttpResponse<String> tokenModifier = get("/fhir/Patient?gender:exact=female", physician);
    assertThat(tokenModifier.statusCode()).isEqualTo(400);
    HttpResponse<String> ne = get("/fhir/Patient?birthdate=ne1980", physician);
    assertThat(ne.statusCode()).isEqualTo(400);
    assertThat(outcome(ne)).contains("birthdate");
    HttpResponse<String> badRef = get("/fhir/Patient?general-practitioner=Zanzibarine", physician);
    assertThat(badRef.statusCode()).isEqualTo(400);
    assertThat(outcome(badRef)).contains("general-practitioner").doesNotContain("Zanzibarine");
  }

  @Test
  void nameWhenNoRelationshipThenTotalZeroAsIfNoneExisted() throws Exception {
    JsonObject none = ok("/fhir/Patient?name=hiddenb");
    assertThat(none.get("total").getAsInt()).isZero();
    assertThat(none.has("entry")).isFalse();
    assertThat(ok("/fhir/Observation?patient=" + smith + "&_summary=count").get("total").getAsInt())
        .isEqualTo(6);
    // Their own physician finds them; the patient is never disclosed to the other.
    JsonObject theirs = json(get("/fhir/Patient?name=hiddenb", stranger));
    assertThat(theirs.get("total").getAsInt()).isEqualTo(1);
    assertThat(ok("/fhir/Observation?code=8867-4&date=2024-01-03").get("total").getAsInt())
        .isEqualTo(3);
  }

  @Test
  void metadataWhenFetchedThenListsEachTypesSearchParametersAndTheSubjectInclude()
      throws Exception {
    HttpResponse<String> response = get("/fhir/metadata", null);
    JsonObject rest = json(response).getAsJsonArray("rest").get(0).getAsJsonObject();
    JsonObject patient = FhirApiIntegrationTests.resource(rest, "Patient");
    assertThat(FhirApiIntegrationTests.codes(patient.getAsJsonArray("searchParam"), "name"))
        .contains("name", "family", "given", "gender", "general-practitioner", "birthdate");
    JsonObject observation = FhirApiIntegrationTests.resource(rest, "Observation");
    assertThat(FhirApiIntegrationTests.codes(observation.getAsJsonArray("searchParam"), "name"))
        .containsExactlyInAnyOrder(
            "_id", "code", "date", "status", "encounter", "patient", "subject");
    assertThat(observation.getAsJsonArray("searchInclude").toString())
        .contains("Observation:patient", "Observation:subject");
    JsonObject appointment = FhirApiIntegrationTests.resource(rest, "Appointment");
    assertThat(FhirApiIntegrationTests.codes(appointment.getAsJsonArray("searchParam"), "name"))
        .contains("actor", "date", "status", "patient");
    assertThat(patient.getAsJsonArray("searchParam").toString()).contains("at least 3");
  }

  // ------------------------------------------------------------------ helpers

  static long disclosures(UUID patient) {
    return jdbc.queryForObject(
        "select count(*) from audit_event where action = 'SEARCH' and outcome = 'PERMIT'"
            + " and patient_id = ?",
        Long.class,
        patient);
  }

  static JsonObject ok(String path) throws Exception {
    HttpResponse<String> response = get(path, physician);
    assertThat(response.statusCode()).as(path + " → " + response.body()).isEqualTo(200);
    return json(response);
  }

  static HttpResponse<String> get(String path, String token) throws Exception {
    URI uri = path.startsWith("http") ? URI.create(path) : server.baseUri().resolve(path);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).GET().header("Accept", "application/fhir+json");
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  static List<String> ids(JsonObject bundle) {
    List<String> out = new ArrayList<>();
    if (bundle.has("entry")) {
      for (JsonElement e : bundle.getAsJsonArray("entry")) {
        JsonObject entry = e.getAsJsonObject();
        if (entry.has("search")
            && entry.getAsJsonObject("search").get("mode").getAsString().equals("include")) {
          continue;
        }
        out.add(entry.getAsJsonObject("resource").get("id").getAsString());
      }
    }
    return out;
  }

  static String[] ids(UUID... ids) {
    String[] out = new String[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = ids[i].toString();
    }
    return out;
  }

  static List<String> strings(List<UUID> ids) {
    return ids.stream().map(UUID::toString).toList();
  }

  static Patient patient(
      String family, String given, AdministrativeGender gender, String birth, UUID practitioner) {
    Patient p = new Patient();
    p.addName().setFamily(family).addGiven(given);
    p.setGender(gender);
    p.setBirthDateElement(new DateType(birth));
    p.addGeneralPractitioner(new Reference("Practitioner/" + practitioner));
    return p;
  }

  static Practitioner practitioner(String family) {
    Practitioner p = new Practitioner();
    p.addName().setFamily(family);
    return p;
  }

  static Observation observation(
      UUID patient, String loinc, String date, String status, UUID encounter) {
    Observation o = new Observation();
    o.setStatus(Observation.ObservationStatus.fromCode(status));
    o.setCode(
        new CodeableConcept()
            .addCoding(new org.hl7.fhir.r4.model.Coding("http://loinc.org", loinc, null)));
    o.setSubject(new Reference("Patient/" + patient));
    o.setEffective(new DateTimeType(date));
    o.setValue(new org.hl7.fhir.r4.model.Quantity(72).setUnit("/min"));
    if (encounter != null) {
      o.setEncounter(new Reference("Encounter/" + encounter));
    }
    return o;
  }
}
