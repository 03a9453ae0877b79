package org.phylax.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.phylax.audit.AuditAction;
import org.phylax.audit.AuditEvent;
import org.phylax.audit.AuditQuery;
import org.phylax.audit.AuditSearch;
import org.phylax.identity.Account;
import org.phylax.identity.AccountStatus;
import org.phylax.identity.ClientInfo;
import org.phylax.identity.Role;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.TestServers;
import org.phylax.records.RecordStore;
import org.phylax.records.SearchParameter;
import org.phylax.records.StoredResource;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.PayloadApplicationEvent;

/**
 * The access policy against real relationships in the record store: a table of role × relationship
 * × action × resource type with the expected permit and its reason or the denial and its rule; then
 * break-glass, freshness (a change counts on the very next request) and the gate.
 */
class AccessPolicyIntegrationTests {

  @TempDir static Path dir;

  static PhylaxServer server;
  static RecordStore store;
  static Permit system;
  static AccessPolicy policy;
  static AccessGate gate;
  static BreakGlass breakGlass;
  static final List<Object> events = new ArrayList<>();

  /** Directory and patient ids by name. */
  static final Map<String, UUID> ids = new HashMap<>();

  static final Map<String, Subject> subjects = new HashMap<>();

  @BeforeAll
  static void start() {
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    System.setProperty("phylax.access.break-glass-duration", "4s");
    server = TestServers.dev(dir);
    ((ConfigurableApplicationContext) server.context())
        .addApplicationListener(
            (ApplicationListener<PayloadApplicationEvent<?>>)
                e -> {
                  if (e.getPayload() instanceof AccessDenied
                      || e.getPayload() instanceof BreakGlassOpened) {
                    synchronized (events) {
                      events.add(e.getPayload());
                    }
                  }
                });
    store = server.context().getBean(RecordStore.class);
    system = server.context().getBean(SystemAccess.class).forTask("test");
    policy = server.context().getBean(AccessPolicy.class);
    gate = server.context().getBean(AccessGate.class);
    breakGlass = server.context().getBean(BreakGlass.class);

    ids.putAll(AccessTable.seed(store, system));
    AccessTable.users()
        .forEach(
            (who, u) ->
                subjects.put(
                    who,
                    u.isService()
                        ? Subject.service(who.replace(' ', '-'), u.scopes())
                        : user(
                            u.role(),
                            u.practitioner(),
                            u.patient() == null ? null : ids.get(u.patient()),
                            u.status())));
  }

  @AfterAll
  static void stop() {
    System.clearProperty("phylax.access.break-glass-duration");
    if (server != null) {
      server.close();
    }
  }

  static Stream<Arguments> table() {
    return AccessTable.rows().stream().map(AccessTable.Row::arguments);
  }

  @ParameterizedTest(name = "{0} {1} {2} of {3} -> {4}")
  @MethodSource("table")
  void decideWhenTableRowThenExpectedOutcome(
      String who, String action, String type, String patient, String expected) {
    Decision decision = decide(who, action, type, patient);
    assertThat((decision.isPermitted() ? "PERMIT " : "DENY ") + decision.outcome())
        .as(decision.toString())
        .isEqualTo(expected);
    if (decision.isPermitted() && patient == null && !"Patient".equals(type)) {
      // A permit for a resource of no patient covers no patient's record.
      assertThat(decision.permit().get().covers(ids.get("P1"))).isFalse();
    }
    if (decision.isPermitted() && patient != null) {
      Permit permit = decision.permit().get();
      assertThat(permit.covers(ids.get(patient))).isTrue();
      assertThat(permit.covers(UUID.randomUUID())).isFalse();
    }
  }

  @Test
  void registrationWhenPermittedThenTheStoreCreatesANewPatientWithIt() {
    Permit permit =
        gate.enter(
            AccessRequest.of(subjects.get("front desk"), AccessAction.CREATE, "Patient").build());
    assertThat(permit.reason()).isEqualTo(Permit.Reason.REGISTRATION);
    StoredResource created = store.create(permit, patient("Fernsby"));
    assertThat(created.patientId()).isEqualTo(created.id());
  }

  @Test
  void lockedAccountWhoseLockIsOverThenDecidedAsActive() {
    Account locked =
        account(
            Role.PHYSICIAN,
            ids.get("drAssigned"),
            null,
            AccountStatus.LOCKED,
            Instant.now().minusSeconds(5));
    Account stillLocked =
        account(
            Role.PHYSICIAN,
            ids.get("drAssigned"),
            null,
            AccountStatus.LOCKED,
            Instant.now().plusSeconds(600));
    assertThat(outcome(Subject.user(locked, Instant.now()), "P1")).isEqualTo("ASSIGNED");
    assertThat(outcome(Subject.user(stillLocked, Instant.now()), "P1"))
        .isEqualTo("ACCOUNT_DISABLED");
  }

  @Test
  void breakGlassWhenOpenedThenPermitsUntilExpiryAlertsAndOverridesConsentDenial()
      throws Exception {
    Subject none = subjects.get("physician none");
    assertThat(outcome(none, "P3")).isEqualTo("NO_RELATIONSHIP");
    assertThatThrownBy(() -> breakGlass.open(none, ids.get("P3"), "too short", ClientInfo.none()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 20 characters");
    assertThatThrownBy(
            () ->
                breakGlass.open(
                    none,
                    UUID.randomUUID(),
                    "unconscious in the emergency room",
                    ClientInfo.none()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("patient: there is no such patient");

    BreakGlass.Grant grant =
        breakGlass.open(
            none,
            ids.get("P3"),
            "unconscious in the emergency room, no history",
            ClientInfo.none());
    assertThat(grant.overridesConsentDenial()).isFalse();
    assertThat(outcome(none, "P3")).isEqualTo("BREAK_GLASS");
    assertThat(outcome(none, "P1")).isEqualTo("NO_RELATIONSHIP"); // one patient only
    assertThat(events)
        .anySatisfy(
            e ->
                assertThat(e)
                    .isInstanceOfSatisfying(
                        BreakGlassOpened.class,
                        o -> {
                          assertThat(o.grantId()).isEqualTo(grant.id());
                          assertThat(o.patientId()).isEqualTo(ids.get("P3"));
                        }));

    // The consent that denies this physician is passed only through break-glass, and the grant
    // says so.
    Subject denied = subjects.get("physician denied");
    BreakGlass.Grant override =
        breakGlass.open(
            denied,
            ids.get("P1"),
            "cardiac arrest on the ward, record needed now",
            ClientInfo.none());
    assertThat(override.overridesConsentDenial()).isTrue();
    assertThat(outcome(denied, "P1")).isEqualTo("BREAK_GLASS");

    // A compliance officer reads clinical data through break-glass, and writes nothing.
    Subject compliance = subjects.get("compliance");
    breakGlass.open(
        compliance, ids.get("P1"), "investigating a reported privacy complaint", ClientInfo.none());
    assertThat(outcome(compliance, "P1")).isEqualTo("BREAK_GLASS");
    assertThat(decide("compliance", "UPDATE", "Observation", "P1").denial().map(Denial::rule))
        .contains(Denial.Rule.ROLE_NOT_PERMITTED);

    // Roles that may not break the glass are refused, audited and alerted.
    int before = events.size();
    assertThatThrownBy(
            () ->
                breakGlass.open(
                    subjects.get("front desk"),
                    ids.get("P2"),
                    "the patient is at the desk and needs help",
                    ClientInfo.none()))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("ROLE_NOT_PERMITTED");
    assertThat(events.subList(before, events.size()))
        .anySatisfy(e -> assertThat(e).isInstanceOf(AccessDenied.class));

    // Grants last 4 s in this test (4 h by default): after that, no relationship again.
    // Wait for the later of the two grants: on a busy machine they may be opened far apart.
    long until = override.expiresAt().toEpochMilli() - System.currentTimeMillis();
    Thread.sleep(Math.max(0, until) + 200);
    assertThat(outcome(none, "P3")).isEqualTo("NO_RELATIONSHIP");
    assertThat(outcome(denied, "P1")).isEqualTo("CONSENT_DENIED");
  }

  @Test
  void relationshipChangesWhenWrittenThenTheVeryNextDecisionFollows() {
    Subject nurse = subjects.get("nurse on team");
    Subject physician = subjects.get("physician A");
    UUID patient = create(patient("Thistlewood"));
    Patient assigned = (Patient) store.read(system, "Patient", patient).resource();
    assigned.addGeneralPractitioner(ref("Practitioner", ids.get("drAssigned")));
    store.update(system, patient, 1, assigned);
    UUID team = create(careTeam(patient, CareTeam.CareTeamStatus.ACTIVE, "nurseTeam"));
    assertThat(outcome(nurse, patient)).isEqualTo("CARE_TEAM");
    assertThat(outcome(physician, patient)).isEqualTo("ASSIGNED");

    // The nurse leaves the care team.
    CareTeam changed = (CareTeam) store.read(system, "CareTeam", team).resource();
    changed.getParticipant().clear();
    store.update(system, team, 1, changed);
    assertThat(outcome(nurse, patient)).isEqualTo("NO_RELATIONSHIP");

    // The patient records a consent denying the assigned physician.
    UUID consent = create(consent(patient, Consent.ConsentProvisionType.DENY, "drAssigned"));
    assertThat(outcome(physician, patient)).isEqualTo("CONSENT_DENIED");
    store.delete(system, "Consent", consent);
    assertThat(outcome(physician, patient)).isEqualTo("ASSIGNED");

    // The assignment ends.
    Patient unassigned = (Patient) store.read(system, "Patient", patient).resource();
    unassigned.getGeneralPractitioner().clear();
    store.update(system, patient, 2, unassigned);
    assertThat(outcome(physician, patient)).isEqualTo("NO_RELATIONSHIP");
  }

  @Test
  void gateWhenRefusedThenAuditsPublishesAndThrows_whenPermittedThenAuditsTheReason() {
    AuditSearch audit = server.context().getBean(AuditSearch.class);
    Subject physician = subjects.get("physician A");
    ClientInfo client = new ClientInfo("192.0.2.7", "policy-test/1.0", "req-1");
    Permit permit =
        gate.enter(
            AccessRequest.of(physician, AccessAction.READ, "Observation")
                .patient(ids.get("P1"))
                .client(client)
                .build());
    assertThat(store.search(permit, "Patient", SearchParameter.FAMILY, "quillfeather"))
        .extracting(StoredResource::id)
        .containsExactly(ids.get("P1"));

    int before = events.size();
    assertThatThrownBy(
            () ->
                gate.enter(
                    AccessRequest.of(physician, AccessAction.READ, "Observation")
                        .patient(ids.get("P2"))
                        .client(client)
                        .build()))
        .isInstanceOf(AccessDeniedException.class)
        .satisfies(
            e ->
                assertThat(((AccessDeniedException) e).denial().rule())
                    .isEqualTo(Denial.Rule.NO_RELATIONSHIP));
    assertThat(events.subList(before, events.size()))
        .singleElement()
        .isInstanceOfSatisfying(
            AccessDenied.class,
            d -> {
              assertThat(d.patientId()).isEqualTo(ids.get("P2"));
              assertThat(d.rule()).isEqualTo(Denial.Rule.NO_RELATIONSHIP);
              assertThat(d.sourceIp()).isEqualTo("192.0.2.7");
              assertThat(d.actor()).isEqualTo(physician.actor());
            });

    // The refusal is an alert at once, for the compliance officers.
    assertThat(
            server.context().getBean(org.phylax.alerts.Alerts.class).list(null, 200, null).alerts())
        .anySatisfy(
            a -> {
              assertThat(a.kind()).isEqualTo(org.phylax.alerts.Alert.Kind.ACCESS_DENIED);
              assertThat(a.rule()).contains(Denial.Rule.NO_RELATIONSHIP);
              assertThat(a.patientId()).contains(ids.get("P2"));
              assertThat(a.sourceIp()).contains("192.0.2.7");
            });

    List<AuditEvent> logged =
        audit
            .search(
                AuditQuery.builder().actorUser(physician.actor()).build(),
                new AuditSearch.Reader("test", "test", null, null, null, null, null))
            .entries()
            .stream()
            .map(AuditSearch.Entry::event)
            .filter(e -> e.action() == AuditAction.READ)
            .toList();
    assertThat(logged)
        .anySatisfy(
            e -> {
              assertThat(e.outcome()).isEqualTo(AuditEvent.Outcome.DENY);
              assertThat(e.outcomeReason()).isEqualTo("NO_RELATIONSHIP");
              assertThat(e.patientId()).isEqualTo(ids.get("P2"));
              assertThat(e.userAgent()).isEqualTo("policy-test/1.0");
            })
        .anySatisfy(
            e -> {
              assertThat(e.outcome()).isEqualTo(AuditEvent.Outcome.PERMIT);
              assertThat(e.outcomeReason()).isEqualTo("ASSIGNED");
              assertThat(e.patientId()).isEqualTo(ids.get("P1"));
              assertThat(e.sourceIp()).isEqualTo("192.0.2.7");
            });
  }

  @Test
  void searchWhenNameMatchesOtherPatientsThenOnlyVisibleOnesExistForTheCaller() {
    // Three patients are called Quillfeather; physician A is assigned to P1 only.
    AccessRequest request =
        AccessRequest.of(subjects.get("physician A"), AccessAction.SEARCH, "Patient").build();
    AccessGate.SearchScope scope = gate.search(request);
    List<StoredResource> found =
        store.search(scope.permit(), "Patient", SearchParameter.FAMILY, "Quillfeather");
    assertThat(found).extracting(StoredResource::id).containsExactly(ids.get("P1"));
    assertThat(scope.reasons()).containsEntry(ids.get("P1"), Permit.Reason.ASSIGNED);
    gate.disclosed(request, scope, found.stream().map(StoredResource::patientId).toList());

    // Someone with no relationship at all finds nobody, as if nobody had that name.
    AccessGate.SearchScope nobody =
        gate.search(
            AccessRequest.of(subjects.get("physician none"), AccessAction.SEARCH, "Patient")
                .build());
    assertThat(store.search(nobody.permit(), "Patient", SearchParameter.FAMILY, "Quillfeather"))
        .isEmpty();

    // The consent denial keeps P1 out of the denied physician's search; the care team would not.
    AccessGate.SearchScope denied =
        gate.search(
            AccessRequest.of(subjects.get("physician denied"), AccessAction.SEARCH, "Patient")
                .build());
    assertThat(denied.reasons()).doesNotContainKey(ids.get("P1"));

    // A patient finds only themself; a backend service with system scopes, everyone.
    AccessGate.SearchScope self =
        gate.search(
            AccessRequest.of(subjects.get("patient 1"), AccessAction.SEARCH, "Patient").build());
    assertThat(store.search(self.permit(), "Patient", SearchParameter.FAMILY, "Quillfeather"))
        .extracting(StoredResource::id)
        .containsExactly(ids.get("P1"));
    AccessGate.SearchScope service =
        gate.search(
            AccessRequest.of(subjects.get("service read"), AccessAction.SEARCH, "Patient").build());
    assertThat(store.search(service.permit(), "Patient", SearchParameter.FAMILY, "Quillfeather"))
        .hasSize(3);
  }

  @Test
  void disclosedWhenOnePatientIsOutsideTheScopeThenNoneIsRecorded_otherwiseOneEventEach() {
    // Physician A's search scope holds P1 and not P2.
    Subject physician = subjects.get("physician A");
    AccessRequest request = AccessRequest.of(physician, AccessAction.SEARCH, "Patient").build();
    AccessGate.SearchScope scope = gate.search(request);
    long p1Before = disclosures(physician, ids.get("P1"));

    assertThatThrownBy(() -> gate.disclosed(request, scope, List.of(ids.get("P1"), ids.get("P2"))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(disclosures(physician, ids.get("P1"))).isEqualTo(p1Before);
    assertThat(disclosures(physician, ids.get("P2"))).isZero();

    // A patient named twice is one disclosure.
    gate.disclosed(request, scope, List.of(ids.get("P1"), ids.get("P1")));
    assertThat(disclosures(physician, ids.get("P1"))).isEqualTo(p1Before + 1);
  }

  /** The permitted SEARCH events of this subject that name the patient. */
  static long disclosures(Subject subject, UUID patient) {
    return server
        .context()
        .getBean(AuditSearch.class)
        .search(
            AuditQuery.builder().actorUser(subject.actor()).patient(patient).build(),
            new AuditSearch.Reader("test", "test", null, null, null, null, null))
        .entries()
        .stream()
        .map(AuditSearch.Entry::event)
        .filter(e -> e.action() == AuditAction.SEARCH)
        .filter(e -> e.outcome() == AuditEvent.Outcome.PERMIT)
        .count();
  }

  // ------------------------------------------------------------------ helpers

  static Decision decide(String who, String action, String type, String patient) {
    Subject subject = subjects.get(who);
    assertThat(subject).as(who).isNotNull();
    return policy.decide(
        AccessRequest.of(subject, AccessAction.valueOf(action), type)
            .patient(patient == null ? null : ids.get(patient))
            .build());
  }

  static String outcome(Subject subject, String patient) {
    return outcome(subject, ids.get(patient));
  }

  static String outcome(Subject subject, UUID patient) {
    return policy
        .decide(
            AccessRequest.of(subject, AccessAction.READ, "Observation").patient(patient).build())
        .outcome();
  }

  static UUID create(Resource resource) {
    return store.create(system, resource).id();
  }

  static Subject user(Role role, String practitioner, UUID patient, AccountStatus status) {
    return Subject.user(
        account(role, practitioner == null ? null : ids.get(practitioner), patient, status, null),
        Instant.now());
  }

  static Account account(
      Role role, UUID practitioner, UUID patient, AccountStatus status, Instant lockedUntil) {
    // Stable per practitioner or patient, so that grants opened by one subject count for it.
    UUID id =
        UUID.nameUUIDFromBytes(
            (role + ":" + (practitioner != null ? practitioner : patient)).getBytes());
    Instant now = Instant.now();
    return new Account(
        id,
        "u-" + id,
        null,
        Set.of(role),
        practitioner,
        patient,
        status,
        lockedUntil,
        true,
        1,
        now,
        "test",
        now,
        "test");
  }

  static Reference ref(String type, UUID id) {
    return AccessTable.ref(type, id);
  }

  static Patient patient(String family) {
    return AccessTable.patient(family);
  }

  static CareTeam careTeam(UUID patient, CareTeam.CareTeamStatus status, String... members) {
    return AccessTable.careTeam(
        patient, status, Stream.of(members).map(ids::get).toArray(UUID[]::new));
  }

  static Consent consent(UUID patient, Consent.ConsentProvisionType type, String actor) {
    return AccessTable.consent(patient, type, ids.get(actor));
  }
}
