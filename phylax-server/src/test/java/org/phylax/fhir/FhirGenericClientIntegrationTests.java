package org.phylax.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Quantity;
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

/**
 * The FHIR API driven by HAPI's own generic client, as an integrator's tool would: with a real
 * bearer token, create/read/vread/update/delete with versions and If-Match, conditional create,
 * search paged through the client's next links, instance and type history, a transaction with
 * {@code urn:uuid} references, and {@code Patient/$everything}. Each step also checks what the
 * client made of the server's answer (ids, versions, created flags, exception types).
 */
class FhirGenericClientIntegrationTests {

  @TempDir static Path dir;
  static PhylaxServer server;
  static IGenericClient client;
  static RecordStore store;
  static Permit system;
  static UUID doctor;
  static UUID patient;
  static final String LOINC = "http://loinc.org";

  @BeforeAll
  static void start() {
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    server = TestServers.dev(dir);
    store = server.context().getBean(RecordStore.class);
    system = server.context().getBean(SystemAccess.class).forTask("test");
    Practitioner practitioner = new Practitioner();
    practitioner.addName().setFamily("Quillfeather");
    doctor = store.create(system, practitioner).id();
    patient = store.create(system, patient("Marrowby", "Odalys")).id();
    server
        .context()
        .getBean(Accounts.class)
        .create(
            NewAccount.builder("dr-quillfeather")
                .role(Role.PHYSICIAN)
                .practitioner(doctor)
                .password("lantern-orchard-ferry-83")
                .build(),
            Actor.operator("tester"));
    String token =
        server
            .context()
            .getBean(UserTokens.class)
            .issue("dr-quillfeather", Duration.ofMinutes(15), "tester")
            .token();
    FhirContext fhir = FhirContext.forR4();
    client = fhir.newRestfulGenericClient(server.baseUri().resolve("/fhir").toString());
    client.setEncoding(EncodingEnum.JSON);
    client.registerInterceptor(new BearerTokenAuthInterceptor(token));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    System.clearProperty("phylax.audit.checkpoint-poll");
  }

  @Test
  void crudWhenDrivenByTheGenericClientThenVersionsPreconditionsAndGoneAsHapiExpects() {
    MethodOutcome created = client.create().resource(observation("8867-4", 64)).execute();
    assertThat(created.getCreated()).isTrue();
    IdType id = (IdType) created.getId();
    assertThat(id.getResourceType()).isEqualTo("Observation");
    assertThat(id.getVersionIdPart()).isEqualTo("1");

    Observation read = client.read().resource(Observation.class).withId(id.getIdPart()).execute();
    assertThat(read.getValueQuantity().getValue().intValue()).isEqualTo(64);
    assertThat(read.getIdElement().getVersionIdPart()).isEqualTo("1");

    // The client sends If-Match from the version of the resource's id.
    read.setValue(new Quantity(66).setUnit("/min"));
    MethodOutcome updated = client.update().resource(read).execute();
    assertThat(updated.getId().getVersionIdPart()).isEqualTo("2");
    assertThatThrownBy(() -> client.update().resource(read).execute())
        .isInstanceOf(PreconditionFailedException.class);

    Observation first =
        client.read().resource(Observation.class).withIdAndVersion(id.getIdPart(), "1").execute();
    assertThat(first.getValueQuantity().getValue().intValue()).isEqualTo(64);
    Observation current =
        client.read().resource(Observation.class).withId(id.getIdPart()).execute();
    assertThat(current.getValueQuantity().getValue().intValue()).isEqualTo(66);

    client.delete().resourceById("Observation", id.getIdPart()).execute();
    assertThatThrownBy(
            () -> client.read().resource(Observation.class).withId(id.getIdPart()).execute())
        .isInstanceOf(ResourceGoneException.class);

    Bundle history =
        client
            .history()
            .onInstance(new IdType("Observation", id.getIdPart()))
            .returnBundle(Bundle.class)
            .execute();
    assertThat(history.getType()).isEqualTo(Bundle.BundleType.HISTORY);
    assertThat(history.getEntry())
        .extracting(e -> e.getRequest().getMethod())
        .containsExactly(Bundle.HTTPVerb.DELETE, Bundle.HTTPVerb.PUT, Bundle.HTTPVerb.POST);
    assertThat(history.getEntry().get(0).hasResource()).isFalse();
    assertThat(history.getEntry().get(1).getResponse().getEtag()).isEqualTo("W/\"2\"");
  }

  @Test
  void conditionalCreateWhenRepeatedThenOneResourceAndTheSecondAnswersTheFirst() {
    Patient p = patient("Thornbury", "Ysolde");
    p.addIdentifier().setSystem("urn:example:mrn").setValue("MRN-30417");
    MethodOutcome first =
        client
            .create()
            .resource(p)
            .conditionalByUrl("Patient?identifier=urn:example:mrn|MRN-30417")
            .execute();
    assertThat(first.getCreated()).isTrue();
    MethodOutcome second =
        client
            .create()
            .resource(p)
            .conditionalByUrl("Patient?identifier=urn:example:mrn|MRN-30417")
            .execute();
    // 200, not 201: the client marks only a 201 as created (and leaves the flag null otherwise).
    assertThat(second.getCreated()).isNotEqualTo(Boolean.TRUE);
    assertThat(second.getId().getIdPart()).isEqualTo(first.getId().getIdPart());
    Bundle found =
        client
            .search()
            .forResource(Patient.class)
            .where(Patient.IDENTIFIER.exactly().systemAndIdentifier("urn:example:mrn", "MRN-30417"))
            .returnBundle(Bundle.class)
            .execute();
    assertThat(found.getTotal()).isEqualTo(1);
  }

  @Test
  void searchAndTypeHistoryWhenPagedWithTheClientsNextLinksThenEveryMatchOnce() {
    Date since = new Date();
    List<String> written = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      written.add(store.create(system, observation("2708-6", 90 + i)).id().toString());
    }
    Bundle page =
        client
            .search()
            .forResource(Observation.class)
            .where(Observation.SUBJECT.hasId("Patient/" + patient))
            .and(Observation.CODE.exactly().systemAndCode(LOINC, "2708-6"))
            .count(3)
            .returnBundle(Bundle.class)
            .execute();
    assertThat(page.getTotal()).isEqualTo(7);
    List<String> seen = new ArrayList<>();
    int pages = 0;
    while (true) {
      pages++;
      page.getEntry().forEach(e -> seen.add(e.getResource().getIdElement().getIdPart()));
      if (page.getLink(Bundle.LINK_NEXT) == null) {
        break;
      }
      page = client.loadPage().next(page).execute();
    }
    assertThat(pages).isEqualTo(3);
    assertThat(seen).containsExactlyInAnyOrderElementsOf(written);

    Bundle history =
        client
            .history()
            .onType(Observation.class)
            .returnBundle(Bundle.class)
            .since(since)
            .count(4)
            .execute();
    assertThat(history.getTotal()).isEqualTo(7);
    List<String> versions = new ArrayList<>();
    while (true) {
      history.getEntry().forEach(e -> versions.add(e.getResource().getIdElement().getIdPart()));
      if (history.getLink(Bundle.LINK_NEXT) == null) {
        break;
      }
      history = client.loadPage().next(history).execute();
    }
    // Newest first.
    List<String> newestFirst = new ArrayList<>(written);
    java.util.Collections.reverse(newestFirst);
    assertThat(versions).containsExactlyElementsOf(newestFirst);
  }

  @Test
  void transactionWhenEntriesReferToEachOtherByUrnThenReferencesResolvedAndEverythingFindsThem() {
    Patient newborn = patient("Fennimore", "Lark");
    Observation weight = observation("29463-7", 4);
    String urn = "urn:uuid:" + UUID.randomUUID();
    weight.setSubject(new Reference(urn));
    Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
    transaction
        .addEntry()
        .setFullUrl(urn)
        .setResource(newborn)
        .getRequest()
        .setMethod(Bundle.HTTPVerb.POST)
        .setUrl("Patient");
    transaction
        .addEntry()
        .setResource(weight)
        .getRequest()
        .setMethod(Bundle.HTTPVerb.POST)
        .setUrl("Observation");
    Bundle response = client.transaction().withBundle(transaction).execute();
    assertThat(response.getType()).isEqualTo(Bundle.BundleType.TRANSACTIONRESPONSE);
    assertThat(response.getEntry())
        .extracting(e -> e.getResponse().getStatus())
        .allSatisfy(s -> assertThat(s).startsWith("201"));
    String patientId =
        new IdType(response.getEntry().get(0).getResponse().getLocation()).getIdPart();
    String observationId =
        new IdType(response.getEntry().get(1).getResponse().getLocation()).getIdPart();
    Observation stored = client.read().resource(Observation.class).withId(observationId).execute();
    assertThat(stored.getSubject().getReference()).isEqualTo("Patient/" + patientId);

    Bundle everything =
        client
            .operation()
            .onInstance(new IdType("Patient", patientId))
            .named("$everything")
            .withNoParameters(Parameters.class)
            .returnResourceType(Bundle.class)
            .execute();
    assertThat(everything.getEntry())
        .extracting(
            e -> e.getResource().fhirType() + "/" + e.getResource().getIdElement().getIdPart())
        .containsExactly("Patient/" + patientId, "Observation/" + observationId);
  }

  // ------------------------------------------------------------------ helpers

  /** A patient of the test's physician, so that the physician may read what is written. */
  static Patient patient(String family, String given) {
    Patient p = new Patient();
    p.addName().setFamily(family).addGiven(given);
    if (doctor != null) {
      p.addGeneralPractitioner(new Reference("Practitioner/" + doctor));
    }
    return p;
  }

  static Observation observation(String loinc, int value) {
    Observation o = new Observation();
    o.setStatus(Observation.ObservationStatus.FINAL);
    o.getCode().addCoding().setSystem(LOINC).setCode(loinc);
    o.setSubject(new Reference("Patient/" + patient));
    o.setValue(new Quantity(value).setUnit("/min"));
    return o;
  }
}
