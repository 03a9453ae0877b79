package org.phylax.cli;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import net.datafaker.Faker;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Immunization;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.phylax.access.Permit;
import org.phylax.audit.AuditAction;
import org.phylax.audit.AuditEvent;
import org.phylax.audit.AuditLog;
import org.phylax.identity.Actor;
import org.phylax.records.RecordStore;
import org.phylax.records.StoredResource;

/**
 * Synthetic patient records for {@code ./phylax synth} and the demo. Every choice — names, dates,
 * codes, values, how many of each — is drawn from one {@link Random} seeded with the given seed
 * (datafaker draws from the same one), and dates are offsets from an as-of day, so the same seed
 * and day give the same content; only the ids, which the store assigns, differ. Everything is
 * tagged {@code HTEST} (test health data) like the demo users' records.
 *
 * <p>Writes go through {@link RecordStore#createAll} with a system permit, one transaction per
 * batch of patients (the batch's Patients, then their Encounters, then the rest, which reference
 * both). The store writes no audit events, so after each batch commits one event is recorded:
 * action CREATE by {@code system:synth}, its reason naming the operator and the counts per type.
 * The calling thread makes the batches one after another; a few writer threads store them, so
 * batches may commit, and their events and progress lines appear, out of order.
 */
final class Synthesizer {

  static final int BATCH = 100;

  /**
   * What to make. {@code physician} and {@code nurse} (may be null) are the demo's practitioners.
   */
  record Options(int patients, long seed, LocalDate asOf, UUID physician, UUID nurse, int writers) {
    Options {
      if (patients < 1) {
        throw new IllegalArgumentException("--patients must be at least 1");
      }
      if (writers < 1 || writers > MAX_WRITERS) {
        throw new IllegalArgumentException("--writers must be between 1 and " + MAX_WRITERS);
      }
    }

    /** With {@link #defaultWriters()} writer threads. */
    Options(int patients, long seed, LocalDate asOf, UUID physician, UUID nurse) {
      this(patients, seed, asOf, physician, nurse, defaultWriters());
    }
  }

  /**
   * Most writer threads a run may use: each holds a database connection for its batch, and the pool
   * has 20 that the audit log and the rest of the process share.
   */
  static final int MAX_WRITERS = 16;

  /** One writer thread per processor, at least 1 and at most 8. */
  static int defaultWriters() {
    return Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors()));
  }

  /** Resources made per type, and how long it took. */
  record Result(Map<String, Integer> counts, long nanos) {
    int total() {
      return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    long perSecond() {
      return nanos == 0 ? 0 : Math.round(total() / (nanos / 1e9));
    }
  }

  private static final String TAG_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
  private static final String SNOMED = "http://snomed.info/sct";
  private static final String LOINC = "http://loinc.org";
  private static final String RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm";
  private static final String CVX = "http://hl7.org/fhir/sid/cvx";
  private static final String UCUM = "http://unitsofmeasure.org";
  static final String MRN_SYSTEM = "urn:phylax:synth:mrn";

  private static final String[][] CONDITIONS = {
    {"44054006", "Diabetes mellitus type 2"},
    {"38341003", "Hypertensive disorder"},
    {"195967001", "Asthma"},
    {"55822004", "Hyperlipidemia"},
    {"40055000", "Chronic sinusitis"},
    {"10509002", "Acute bronchitis"},
    {"271737000", "Anemia"},
    {"35489007", "Depressive disorder"}
  };

  /** LOINC code, display, unit, low, high (uniform within), decimals. */
  private static final Object[][] VITALS = {
    {"8867-4", "Heart rate", "/min", 55, 100, 0},
    {"8480-6", "Systolic blood pressure", "mm[Hg]", 100, 160, 0},
    {"8462-4", "Diastolic blood pressure", "mm[Hg]", 60, 100, 0},
    {"29463-7", "Body weight", "kg", 45, 120, 1},
    {"8302-2", "Body height", "cm", 150, 200, 1},
    {"8310-5", "Body temperature", "Cel", 36, 38, 1}
  };

  private static final String[][] MEDICATIONS = {
    {"860975", "24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet"},
    {"314076", "Lisinopril 10 MG Oral Tablet"},
    {"197361", "Amlodipine 5 MG Oral Tablet"},
    {"259255", "Atorvastatin 80 MG Oral Tablet"},
    {"745679", "200 ACTUAT Albuterol 0.09 MG/ACTUAT Metered Dose Inhaler"},
    {"310965", "Ibuprofen 200 MG Oral Tablet"}
  };

  private static final String[][] VACCINES = {
    {"140", "Influenza, seasonal, injectable, preservative free"},
    {"208", "SARS-COV-2 (COVID-19) vaccine, mRNA, spike protein, LNP, preservative free"},
    {"113", "Td (adult) preservative free"},
    {"133", "Pneumococcal conjugate PCV 13"},
    {"43", "Hep B, adult"}
  };

  private final RecordStore records;
  private final Permit permit;
  private final AuditLog audit;
  private final Actor operator;
  private final PrintStream progress;

  Synthesizer(
      RecordStore records, Permit permit, AuditLog audit, Actor operator, PrintStream progress) {
    this.records = records;
    this.permit = permit;
    this.audit = audit;
    this.operator = operator;
    this.progress = progress;
  }

  /** Makes and stores everything; returns the counts per type. */
  Result run(Options options) {
    long start = System.nanoTime();
    Random random = new Random(options.seed());
    Faker faker = new Faker(Locale.US, random);
    Generator generator = new Generator(random, faker, options);
    Tally tally = new Tally(options.patients(), start);

    generator.directory();
    List<StoredResource> stored =
        records.inTransaction(
            () -> {
              List<StoredResource> made = records.createAll(permit, generator.organizations);
              generator.bindOrganizations(made);
              List<StoredResource> more = records.createAll(permit, generator.practitioners);
              generator.bindPractitioners(more);
              List<StoredResource> all = new ArrayList<>(made);
              all.addAll(more);
              all.addAll(records.createAll(permit, generator.roles()));
              return all;
            });
    Map<String, Integer> directory = count(stored, new TreeMap<>());
    record(0, directory);
    tally.add(0, directory, false);

    // Charts are made here, in order, from the one Random; only storing them runs on the writers.
    // A chart needs no id the store assigns to another batch, so the order in which batches
    // commit changes the ids and the order of the audit events, never the content.
    Writers writers = new Writers(options.writers());
    try {
      for (int first = 0, batch = 1; first < options.patients(); first += BATCH, batch++) {
        if (writers.failed()) {
          break;
        }
        int size = Math.min(BATCH, options.patients() - first);
        List<Chart> charts = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
          charts.add(generator.chart(first + i));
        }
        int number = batch;
        writers.submit(
            () -> {
              Map<String, Integer> made = records.inTransaction(() -> store(charts));
              record(number, made);
              tally.add(size, made, true);
            });
      }
    } finally {
      writers.finish();
    }
    writers.rethrowFailure();
    return new Result(tally.counts(), System.nanoTime() - start);
  }

  /**
   * Stores one batch's charts, binding the ids the store assigns into the references that await
   * them; call inside a transaction. The charts belong to this batch alone.
   */
  private Map<String, Integer> store(List<Chart> charts) {
    Map<String, Integer> made = new TreeMap<>();
    List<Patient> patients = charts.stream().map(c -> c.patient).toList();
    List<StoredResource> ps = records.createAll(permit, patients);
    count(ps, made);
    List<Encounter> encounters = new ArrayList<>();
    for (int i = 0; i < charts.size(); i++) {
      charts.get(i).bindPatient(ps.get(i).id());
      encounters.addAll(charts.get(i).encounters);
    }
    List<StoredResource> es = records.createAll(permit, encounters);
    count(es, made);
    List<Resource> rest = new ArrayList<>();
    int e = 0;
    for (Chart chart : charts) {
      for (int j = 0; j < chart.encounters.size(); j++) {
        chart.bindEncounter(j, es.get(e++).id());
      }
      rest.addAll(chart.rest);
    }
    count(records.createAll(permit, rest), made);
    return made;
  }

  /** Counts per type and patients of the committed batches; a progress line per batch. */
  private final class Tally {
    private final int patients;
    private final long start;
    private final Map<String, Integer> counts = new TreeMap<>();
    private int done;
    private int total;

    Tally(int patients, long start) {
      this.patients = patients;
      this.start = start;
    }

    synchronized void add(int batchPatients, Map<String, Integer> batch, boolean report) {
      merge(counts, batch);
      done += batchPatients;
      total += batch.values().stream().mapToInt(Integer::intValue).sum();
      if (report) {
        long elapsed = System.nanoTime() - start;
        progress.printf(
            "synth: %d/%d patients, %d resources, %d resources/s%n",
            done, patients, total, Math.round(total / (elapsed / 1e9)));
      }
    }

    synchronized Map<String, Integer> counts() {
      return new TreeMap<>(counts);
    }
  }

  /**
   * A fixed set of threads that store batches while the caller makes the next ones. At most {@link
   * #WAITING} made batches wait besides those being written, which bounds the memory a run holds.
   * The first failure ends it: no further batch is handed over or started, those being written
   * finish (committed batches stay, as when a single thread wrote), and {@link #rethrowFailure}
   * throws it.
   */
  static final class Writers {
    static final int WAITING = 2;

    private final ExecutorService pool;
    private final Semaphore held;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    Writers(int threads) {
      AtomicInteger n = new AtomicInteger();
      this.pool =
          Executors.newFixedThreadPool(
              threads, r -> new Thread(r, "synth-writer-" + n.incrementAndGet()));
      this.held = new Semaphore(threads + WAITING);
    }

    /** Hands a batch over, waiting while the writers are busy and {@link #WAITING} batches wait. */
    void submit(Runnable batch) {
      try {
        held.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure.compareAndSet(null, e);
        return;
      }
      if (failed()) {
        held.release();
        return;
      }
      pool.execute(
          () -> {
            try {
              if (!failed()) {
                batch.run();
              }
            } catch (Throwable t) {
              failure.compareAndSet(null, t);
            } finally {
              held.release();
            }
          });
    }

    boolean failed() {
      return failure.get() != null;
    }

    /** Waits for every batch handed over to be written or skipped. */
    void finish() {
      pool.shutdown();
      boolean interrupted = false;
      while (true) {
        try {
          if (pool.awaitTermination(1, TimeUnit.MINUTES)) {
            break;
          }
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }

    void rethrowFailure() {
      Throwable t = failure.get();
      if (t instanceof RuntimeException e) {
        throw e;
      }
      if (t instanceof Error e) {
        throw e;
      }
      if (t instanceof InterruptedException) {
        throw new IllegalStateException("synth was interrupted; the batches committed stay", t);
      }
      if (t != null) {
        throw new IllegalStateException("synth: a batch failed", t);
      }
    }
  }

  private static Map<String, Integer> count(List<StoredResource> made, Map<String, Integer> into) {
    for (StoredResource r : made) {
      into.merge(r.resourceType(), 1, Integer::sum);
    }
    return into;
  }

  private static void merge(Map<String, Integer> into, Map<String, Integer> from) {
    from.forEach((type, n) -> into.merge(type, n, Integer::sum));
  }

  /** One event per committed batch: what was made, by which task, at whose command. */
  private void record(int batch, Map<String, Integer> counts) {
    StringBuilder reason =
        new StringBuilder("synth batch ")
            .append(batch)
            .append(" by operator ")
            .append(operator.id())
            .append(':');
    counts.forEach((type, n) -> reason.append(' ').append(type).append('=').append(n));
    audit.record(
        AuditEvent.builder(AuditAction.CREATE, AuditEvent.Outcome.SUCCESS)
            .at(Instant.now())
            .actor(permit.actor(), "system", null)
            .entity("Bundle", null, null)
            .reason(reason.toString())
            .build());
  }

  /** Makes resources; ids of stored ones are bound in as the store assigns them. */
  private static final class Generator {
    private final Random random;
    private final Faker faker;
    private final Options options;
    final List<Organization> organizations = new ArrayList<>();
    final List<Practitioner> practitioners = new ArrayList<>();
    private final List<Integer> practitionerOrg = new ArrayList<>();
    private final List<UUID> organizationIds = new ArrayList<>();
    private final List<UUID> practitionerIds = new ArrayList<>();

    /** Start times already booked, per practitioner: a booked appointment may not overlap one. */
    private final Map<UUID, Set<Date>> booked = new HashMap<>();

    Generator(Random random, Faker faker, Options options) {
      this.random = random;
      this.faker = faker;
      this.options = options;
    }

    /**
     * The start of the first slot of the practitioner's from {@code slot} on {@code day} onwards
     * (later that day, then on the following days) that no appointment of this run has booked.
     */
    private Date freeSlot(UUID practitioner, LocalDate day, int slot) {
      Set<Date> taken = booked.computeIfAbsent(practitioner, k -> new HashSet<>());
      for (int n = slot; ; n++) {
        Date start = plusMinutes(at(day.plusDays(n / SLOTS_A_DAY), 8), 20 * (n % SLOTS_A_DAY));
        if (taken.add(start)) {
          return start;
        }
      }
    }

    void directory() {
      int orgs = 2 + random.nextInt(2);
      for (int i = 0; i < orgs; i++) {
        Organization org = tagged(new Organization());
        org.setActive(true).setName(faker.address().cityName() + " Health Clinic");
        org.addIdentifier().setSystem("urn:phylax:synth:org").setValue("ORG-" + (i + 1));
        org.addAddress(address());
        organizations.add(org);
        int staff = 2 + random.nextInt(3);
        for (int j = 0; j < staff; j++) {
          Practitioner p = tagged(new Practitioner());
          p.setActive(true)
              .addName()
              .setFamily(faker.name().lastName())
              .addGiven(faker.name().firstName())
              .addPrefix("Dr.");
          p.addIdentifier()
              .setSystem("http://hl7.org/fhir/sid/us-npi")
              .setValue(Long.toString(1_000_000_000L + random.nextInt(999_999_999)));
          practitioners.add(p);
          practitionerOrg.add(i);
        }
      }
    }

    void bindOrganizations(List<StoredResource> stored) {
      stored.forEach(s -> organizationIds.add(s.id()));
    }

    void bindPractitioners(List<StoredResource> stored) {
      stored.forEach(s -> practitionerIds.add(s.id()));
    }

    List<PractitionerRole> roles() {
      List<PractitionerRole> roles = new ArrayList<>();
      for (int i = 0; i < practitionerIds.size(); i++) {
        PractitionerRole role = tagged(new PractitionerRole());
        role.setActive(true)
            .setPractitioner(new Reference("Practitioner/" + practitionerIds.get(i)))
            .setOrganization(
                new Reference("Organization/" + organizationIds.get(practitionerOrg.get(i))))
            .addCode()
            .addCoding()
            .setSystem("urn:phylax:role")
            .setCode("physician");
        roles.add(role);
      }
      return roles;
    }

    /** One patient's record; references to the patient and encounters are bound later. */
    Chart chart(int index) {
      Chart chart = new Chart();
      int doctorIndex = random.nextInt(practitioners.size());
      UUID doctor = practitionerIds.get(doctorIndex);
      UUID clinic = organizationIds.get(practitionerOrg.get(doctorIndex));
      UUID gp = options.physician() != null && index % 2 == 0 ? options.physician() : doctor;

      Patient patient = tagged(new Patient());
      boolean female = random.nextBoolean();
      patient
          .addName()
          .setUse(HumanName.NameUse.OFFICIAL)
          .setFamily(faker.name().lastName())
          .addGiven(female ? faker.name().femaleFirstName() : faker.name().maleFirstName());
      patient.setGender(female ? AdministrativeGender.FEMALE : AdministrativeGender.MALE);
      LocalDate birth = options.asOf().minusDays(random.nextInt(95 * 365));
      patient.setBirthDateElement(new org.hl7.fhir.r4.model.DateType(birth.toString()));
      patient.addAddress(address());
      patient
          .addTelecom()
          .setSystem(ContactPoint.ContactPointSystem.PHONE)
          .setUse(ContactPoint.ContactPointUse.MOBILE)
          .setValue(
              String.format(
                  "(%03d) 555-%04d", 200 + random.nextInt(700), 100 + random.nextInt(9000)));
      patient
          .addIdentifier()
          .setSystem(MRN_SYSTEM)
          .setValue("S" + options.seed() + "-" + (index + 1));
      patient.addGeneralPractitioner(new Reference("Practitioner/" + gp));
      patient.setManagingOrganization(new Reference("Organization/" + clinic));
      chart.patient = patient;

      int visits = 1 + random.nextInt(3);
      for (int v = 0; v < visits; v++) {
        LocalDate date = options.asOf().minusDays(1 + random.nextInt(3 * 365));
        Date when = at(date, 8 + random.nextInt(9));
        Encounter encounter = tagged(new Encounter());
        encounter
            .setStatus(Encounter.EncounterStatus.FINISHED)
            .setClass_(
                new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", "ambulatory"))
            .setPeriod(new Period().setStart(when).setEnd(plusMinutes(when, 30)))
            .setServiceProvider(new Reference("Organization/" + clinic));
        encounter.addType(concept(SNOMED, "185349003", "Encounter for check up"));
        encounter.addParticipant().setIndividual(new Reference("Practitioner/" + doctor));
        chart.patientRef(encounter.getSubject());
        chart.encounters.add(encounter);
        for (Object[] vital : VITALS) {
          if (random.nextInt(4) == 0) {
            continue;
          }
          Observation o = tagged(new Observation());
          o.setStatus(Observation.ObservationStatus.FINAL)
              .setCode(concept(LOINC, (String) vital[0], (String) vital[1]))
              .setEffective(new DateTimeType(when));
          o.addCategory(
              concept(
                  "http://terminology.hl7.org/CodeSystem/observation-category",
                  "vital-signs",
                  "Vital signs"));
          int low = (Integer) vital[3];
          int high = (Integer) vital[4];
          BigDecimal value =
              BigDecimal.valueOf(low + random.nextDouble() * (high - low))
                  .setScale((Integer) vital[5], RoundingMode.HALF_UP);
          o.setValue(
              new Quantity()
                  .setValue(value)
                  .setUnit((String) vital[2])
                  .setSystem(UCUM)
                  .setCode((String) vital[2]));
          chart.patientRef(o.getSubject());
          chart.encounterRef(v, o.getEncounter());
          chart.rest.add(o);
        }
        if (random.nextInt(3) == 0) {
          String[] c = CONDITIONS[random.nextInt(CONDITIONS.length)];
          Condition condition = tagged(new Condition());
          condition
              .setClinicalStatus(
                  concept(
                      "http://terminology.hl7.org/CodeSystem/condition-clinical",
                      "active",
                      "Active"))
              .setCode(concept(SNOMED, c[0], c[1]))
              .setOnset(new DateTimeType(when))
              .setRecordedDate(when);
          chart.patientRef(condition.getSubject());
          chart.encounterRef(v, condition.getEncounter());
          chart.rest.add(condition);
          String[] m = MEDICATIONS[random.nextInt(MEDICATIONS.length)];
          MedicationRequest request = tagged(new MedicationRequest());
          request
              .setStatus(MedicationRequest.MedicationRequestStatus.ACTIVE)
              .setIntent(MedicationRequest.MedicationRequestIntent.ORDER)
              .setMedication(concept(RXNORM, m[0], m[1]))
              .setAuthoredOn(when)
              .setRequester(new Reference("Practitioner/" + doctor));
          chart.patientRef(request.getSubject());
          chart.encounterRef(v, request.getEncounter());
          chart.rest.add(request);
        }
        if (random.nextInt(2) == 0) {
          String[] vaccine = VACCINES[random.nextInt(VACCINES.length)];
          Immunization shot = tagged(new Immunization());
          shot.setStatus(Immunization.ImmunizationStatus.COMPLETED)
              .setVaccineCode(concept(CVX, vaccine[0], vaccine[1]))
              .setOccurrence(new DateTimeType(when))
              .setPrimarySource(true);
          chart.patientRef(shot.getPatient());
          chart.encounterRef(v, shot.getEncounter());
          chart.rest.add(shot);
        }
      }

      // Half the appointments are in the future, half already happened.
      boolean future = random.nextBoolean();
      LocalDate day =
          future
              ? options.asOf().plusDays(1 + random.nextInt(60))
              : options.asOf().minusDays(1 + random.nextInt(60));
      Date start =
          future ? freeSlot(gp, day, random.nextInt(SLOTS_A_DAY)) : at(day, 8 + random.nextInt(9));
      Appointment appointment = tagged(new Appointment());
      appointment
          .setStatus(
              future
                  ? Appointment.AppointmentStatus.BOOKED
                  : Appointment.AppointmentStatus.FULFILLED)
          .setStart(start)
          .setEnd(plusMinutes(start, 20))
          .setDescription("Follow-up visit");
      appointment.addServiceType(concept(SNOMED, "185389009", "Follow-up visit"));
      Reference patientActor = new Reference();
      chart.patientRef(patientActor);
      appointment
          .addParticipant()
          .setActor(patientActor)
          .setStatus(Appointment.ParticipationStatus.ACCEPTED);
      appointment
          .addParticipant()
          .setActor(new Reference("Practitioner/" + gp))
          .setStatus(Appointment.ParticipationStatus.ACCEPTED);
      chart.rest.add(appointment);

      boolean nurseTeam = options.nurse() != null && index % 3 == 0;
      if (nurseTeam || random.nextInt(3) == 0) {
        CareTeam team = tagged(new CareTeam());
        team.setStatus(CareTeam.CareTeamStatus.ACTIVE)
            .setName("Primary care team")
            .setPeriod(new Period().setStart(day(options.asOf().minusDays(random.nextInt(365)))));
        team.addCategory(concept(LOINC, "LA27976-2", "Encounter-focused care team"));
        team.addParticipant().setMember(new Reference("Practitioner/" + gp));
        if (nurseTeam) {
          team.addParticipant().setMember(new Reference("Practitioner/" + options.nurse()));
        }
        chart.patientRef(team.getSubject());
        chart.rest.add(team);
      }
      return chart;
    }

    private org.hl7.fhir.r4.model.Address address() {
      return new org.hl7.fhir.r4.model.Address()
          .addLine(faker.address().streetAddress())
          .setCity(faker.address().city())
          .setState(faker.address().stateAbbr())
          .setPostalCode(faker.address().zipCode())
          .setCountry("US");
    }
  }

  /** One patient's resources and the references that still await stored ids. */
  private static final class Chart {
    Patient patient;
    final List<Encounter> encounters = new ArrayList<>();
    final List<Resource> rest = new ArrayList<>();
    private final List<Reference> toPatient = new ArrayList<>();
    private final List<List<Reference>> toEncounter = new ArrayList<>();

    void patientRef(Reference reference) {
      toPatient.add(reference);
    }

    void encounterRef(int encounter, Reference reference) {
      while (toEncounter.size() <= encounter) {
        toEncounter.add(new ArrayList<>());
      }
      toEncounter.get(encounter).add(reference);
    }

    void bindPatient(UUID id) {
      toPatient.forEach(r -> r.setReference("Patient/" + id));
    }

    void bindEncounter(int encounter, UUID id) {
      if (encounter < toEncounter.size()) {
        toEncounter.get(encounter).forEach(r -> r.setReference("Encounter/" + id));
      }
    }
  }

  private static <T extends Resource> T tagged(T resource) {
    resource.getMeta().addTag(TAG_SYSTEM, "HTEST", "test health data");
    return resource;
  }

  private static CodeableConcept concept(String system, String code, String display) {
    return new CodeableConcept(new Coding(system, code, display)).setText(display);
  }

  private static Date day(LocalDate date) {
    return Date.from(date.atStartOfDay().toInstant(ZoneOffset.UTC));
  }

  /** 20-minute slots from 08:00 to 17:00. */
  private static final int SLOTS_A_DAY = 27;

  private static Date at(LocalDate date, int hour) {
    return Date.from(date.atTime(LocalTime.of(hour, 0)).toInstant(ZoneOffset.UTC));
  }

  private static Date plusMinutes(Date date, int minutes) {
    return new Date(date.getTime() + minutes * 60_000L);
  }
}
