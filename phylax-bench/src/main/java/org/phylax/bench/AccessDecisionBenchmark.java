package org.phylax.bench;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.phylax.access.AccessAction;
import org.phylax.access.AccessPolicy;
import org.phylax.access.AccessRequest;
import org.phylax.access.Decision;
import org.phylax.access.Permit;
import org.phylax.access.Subject;
import org.phylax.access.SystemAccess;
import org.phylax.identity.Account;
import org.phylax.identity.AccountStatus;
import org.phylax.identity.Role;
import org.phylax.platform.PhylaxServer;
import org.phylax.records.RecordStore;
import org.phylax.records.StoredResource;

/**
 * {@link AccessPolicy#decide} on the real server and its embedded PostgreSQL, as a request pays for
 * it: no cache, every decision reads the relationships. A physician with 50 relationships (20 as
 * general practitioner through a PractitionerRole, 20 care teams with periods, which need the team
 * decrypted, 10 consents permitting them) among 2,000 patients, where 500 other practitioners have
 * relationships of their own. Sample time, so JMH prints p99.
 *
 * <p>Run: {@code java -cp "phylax-bench/target/classes:$(cat phylax-bench/target/classpath.txt)"
 * org.openjdk.jmh.Main AccessDecision}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
public class AccessDecisionBenchmark {

  private BenchServer bench;
  private Fixture f;

  @Setup
  public void start() throws IOException {
    bench = BenchServer.start("phylax-access-bench");
    f = bench.fixture(Fixture.class, Fixture::create);
  }

  @TearDown
  public void stop() throws IOException {
    bench.close();
  }

  /** A patient of the physician's 50, any kind of link. */
  @Benchmark
  public Decision permitRelated() {
    return f.decide(f.related.get(ThreadLocalRandom.current().nextInt(f.related.size())));
  }

  /** A patient linked only by a care team with a period: the team is decrypted to check it. */
  @Benchmark
  public Decision permitTimedCareTeam() {
    return f.decide(f.teamOnly.get(ThreadLocalRandom.current().nextInt(f.teamOnly.size())));
  }

  /** Someone else's patient: every rule is tried before the refusal. */
  @Benchmark
  public Decision denyUnrelated() {
    return f.decide(f.unrelated.get(ThreadLocalRandom.current().nextInt(f.unrelated.size())));
  }

  /** The physician, the patients by kind of link, and the policy to ask. */
  static final class Fixture {

    private static final int BATCH = 250;

    private final AccessPolicy policy;
    private final Subject physician;
    private final List<UUID> related = new ArrayList<>();
    private final List<UUID> teamOnly = new ArrayList<>();
    private final List<UUID> unrelated = new ArrayList<>();

    private Fixture(AccessPolicy policy, Subject physician) {
      this.policy = policy;
      this.physician = physician;
    }

    /** Writes the data in batches: a few seconds instead of half a minute of single creates. */
    static Fixture create(BenchServer bench) {
      PhylaxServer server = bench.server;
      RecordStore store = server.context().getBean(RecordStore.class);
      Permit system = server.context().getBean(SystemAccess.class).forTask("bench");

      UUID clinic = store.create(system, new Organization().setName("Bench Clinic")).id();
      UUID me = practitioner(store, system);
      UUID myRole = store.create(system, role(me, clinic)).id();
      List<Practitioner> otherPractitioners = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        otherPractitioners.add(practitioner());
      }
      List<UUID> others = ids(createInBatches(store, system, otherPractitioners));
      List<Resource> roles = new ArrayList<>();
      for (UUID other : others) {
        roles.add(role(other, clinic));
      }
      createInBatches(store, system, roles);
      ThreadLocalRandom rnd = ThreadLocalRandom.current();
      List<Patient> patients = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        Patient p = new Patient();
        p.addName().setFamily("Bench" + i).addGiven("Synthia");
        p.addGeneralPractitioner(
            new Reference(
                i < 20
                    ? "PractitionerRole/" + myRole
                    : "Practitioner/" + others.get(rnd.nextInt(others.size()))));
        patients.add(p);
      }
      List<UUID> patientIds = ids(createInBatches(store, system, patients));
      List<Resource> around = new ArrayList<>();
      Fixture f =
          new Fixture(server.context().getBean(AccessPolicy.class), physician(me, Instant.now()));
      for (int i = 0; i < patientIds.size(); i++) {
        UUID patient = patientIds.get(i);
        if (i < 20) {
          f.related.add(patient);
        } else if (i < 40) {
          around.add(team(patient, me));
          f.related.add(patient);
          f.teamOnly.add(patient);
        } else if (i < 50) {
          around.add(consent(patient, me));
          f.related.add(patient);
        } else {
          f.unrelated.add(patient);
          around.add(team(patient, others.get(rnd.nextInt(others.size()))));
        }
      }
      createInBatches(store, system, around);
      for (UUID p : f.related) {
        if (!f.decide(p).isPermitted()) {
          throw new IllegalStateException("set-up error: a related patient is refused");
        }
      }
      if (f.decide(f.unrelated.get(0)).isPermitted()) {
        throw new IllegalStateException("set-up error: an unrelated patient is permitted");
      }
      return f;
    }

    Decision decide(UUID patient) {
      return policy.decide(
          AccessRequest.of(physician, AccessAction.READ, "Observation").patient(patient).build());
    }
  }

  private static Subject physician(UUID practitioner, Instant now) {
    return Subject.user(
        new Account(
            UUID.randomUUID(),
            "bench-physician",
            null,
            Set.of(Role.PHYSICIAN),
            practitioner,
            null,
            AccountStatus.ACTIVE,
            null,
            true,
            1,
            now,
            "bench",
            now,
            "bench"),
        now);
  }

  private static List<StoredResource> createInBatches(
      RecordStore store, Permit system, List<? extends Resource> resources) {
    List<StoredResource> stored = new ArrayList<>();
    for (int from = 0; from < resources.size(); from += Fixture.BATCH) {
      stored.addAll(
          store.createAll(
              system, resources.subList(from, Math.min(resources.size(), from + Fixture.BATCH))));
    }
    return stored;
  }

  private static List<UUID> ids(List<StoredResource> stored) {
    return stored.stream().map(StoredResource::id).toList();
  }

  private static Practitioner practitioner() {
    Practitioner p = new Practitioner();
    p.addName().setFamily("Benchwright");
    return p;
  }

  private static UUID practitioner(RecordStore store, Permit system) {
    return store.create(system, practitioner()).id();
  }

  private static PractitionerRole role(UUID practitioner, UUID organization) {
    PractitionerRole r = new PractitionerRole();
    r.setActive(true)
        .setPractitioner(new Reference("Practitioner/" + practitioner))
        .setOrganization(new Reference("Organization/" + organization));
    return r;
  }

  private static CareTeam team(UUID patient, UUID member) {
    CareTeam t = new CareTeam();
    t.setStatus(CareTeam.CareTeamStatus.ACTIVE)
        .setSubject(new Reference("Patient/" + patient))
        .setPeriod(new Period().setStart(Date.from(Instant.now().minusSeconds(86_400L * 30))));
    t.addParticipant().setMember(new Reference("Practitioner/" + member));
    return t;
  }

  private static Consent consent(UUID patient, UUID actor) {
    Consent c = new Consent();
    c.setStatus(Consent.ConsentState.ACTIVE).setPatient(new Reference("Patient/" + patient));
    c.getProvision()
        .setType(Consent.ConsentProvisionType.PERMIT)
        .addActor()
        .setReference(new Reference("Practitioner/" + actor));
    return c;
  }
}
