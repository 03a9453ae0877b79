package org.phylax.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Schedule;
import org.hl7.fhir.r4.model.Slot;
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
import org.phylax.access.Permit;
import org.phylax.access.SystemAccess;
import org.phylax.identity.Accounts;
import org.phylax.identity.Actor;
import org.phylax.identity.NewAccount;
import org.phylax.identity.Role;
import org.phylax.oauth.UserTokens;
import org.phylax.platform.PhylaxServer;
import org.phylax.records.RecordStore;
import org.phylax.records.StoredResource;
import org.phylax.scheduling.SlotPlan;
import org.phylax.scheduling.WeeklyRule;

/**
 * Finding one practitioner's free slots over a month, on the real server and its embedded
 * PostgreSQL: 100 practitioners, each with a Schedule and a year of 20-minute slots on weekday
 * mornings and afternoons (09:00–12:00 and 13:00–17:00, Europe/Berlin: 21 a day, about 5,500 a
 * year, 550,000 in all), and a year of booked appointments holding about one slot in four of every
 * practitioner (made straight onto the practitioner, so the query must exclude them by overlap).
 * Sample time, so JMH prints the percentiles.
 *
 * <p>Run: {@code java -cp "phylax-bench/target/classes:$(cat phylax-bench/target/classpath.txt)"
 * org.openjdk.jmh.Main FreeSlot}. {@code -Dbench.practitioners=} and {@code -Dbench.months=} scale
 * the set-up down for a quick look.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
public class FreeSlotBenchmark {

  private static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
  private static final LocalDate FIRST_DAY = LocalDate.of(2027, 1, 1);

  private BenchServer bench;
  private PhylaxServer server;
  private RecordStore store;
  private Permit system;
  private HttpClient http;
  private String token;
  private int months;
  private final List<UUID> schedules = new ArrayList<>();

  @Setup
  public void start() throws IOException {
    int practitioners = Integer.getInteger("bench.practitioners", 100);
    months = Integer.getInteger("bench.months", 12);
    bench = BenchServer.start("phylax-slot-bench");
    server = bench.server;
    store = server.context().getBean(RecordStore.class);
    system = server.context().getBean(SystemAccess.class).forTask("bench");

    UUID clinic = store.create(system, new Organization().setName("Bench Clinic")).id();
    List<Resource> people = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      Patient p = new Patient();
      p.addName().setFamily("Slotbench" + i).addGiven("Synthia");
      p.setManagingOrganization(new Reference("Organization/" + clinic));
      people.add(p);
    }
    List<UUID> patients = store.createAll(system, people).stream().map(StoredResource::id).toList();
    LocalDate last = FIRST_DAY.plusMonths(months).minusDays(1);
    List<WeeklyRule> rules =
        List.of(
            new WeeklyRule(
                EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY),
                LocalTime.of(9, 0),
                LocalTime.of(12, 0),
                20),
            new WeeklyRule(
                EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY),
                LocalTime.of(13, 0),
                LocalTime.of(17, 0),
                20));
    List<SlotPlan.Planned> plan = SlotPlan.plan(rules, ZONE, FIRST_DAY, last, Set.of());
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    long began = System.nanoTime();
    for (int i = 0; i < practitioners; i++) {
      Practitioner doc = new Practitioner();
      doc.addName().setFamily("Benchhour" + i);
      UUID practitioner = store.create(system, doc).id();
      Schedule schedule = new Schedule();
      schedule.addActor(new Reference("Practitioner/" + practitioner));
      schedule.addExtension(
          "http://hl7.org/fhir/StructureDefinition/timezone", new CodeType(ZONE.getId()));
      UUID scheduleId = store.create(system, schedule).id();
      schedules.add(scheduleId);
      List<Resource> batch = new ArrayList<>();
      for (SlotPlan.Planned p : plan) {
        Slot slot = new Slot();
        slot.setSchedule(new Reference("Schedule/" + scheduleId))
            .setStatus(Slot.SlotStatus.FREE)
            .setStart(Date.from(p.start()))
            .setEnd(Date.from(p.end()));
        batch.add(slot);
        if (rnd.nextInt(4) == 0) {
          Appointment a = new Appointment();
          a.setStatus(Appointment.AppointmentStatus.BOOKED)
              .setStart(Date.from(p.start()))
              .setEnd(Date.from(p.end()));
          a.addParticipant()
              .setActor(new Reference("Patient/" + patients.get(rnd.nextInt(patients.size()))));
          a.addParticipant().setActor(new Reference("Practitioner/" + practitioner));
          batch.add(a);
        }
        if (batch.size() >= 500) {
          store.createAll(system, batch);
          batch.clear();
        }
      }
      if (!batch.isEmpty()) {
        store.createAll(system, batch);
      }
      System.out.printf(
          "set-up: practitioner %d of %d, %d s%n",
          i + 1, practitioners, (System.nanoTime() - began) / 1_000_000_000L);
    }
    server
        .context()
        .getBean(Accounts.class)
        .create(
            NewAccount.builder("bench-desk")
                .role(Role.FRONT_DESK)
                .password("bench-harbour-lantern-31")
                .build(),
            Actor.operator("bench"));
    token =
        server
            .context()
            .getBean(UserTokens.class)
            .issue("bench-desk", Duration.ofHours(1), "bench")
            .token();
    http = HttpClient.newHttpClient();
    jdbc = server.context().getBean(org.springframework.jdbc.core.JdbcTemplate.class);
    jdbc.execute("analyze record_slot; analyze record_booking; analyze record_schedule_actor");
    System.out.printf(
        "set-up: %d slots, %d holding bookings%n",
        jdbc.queryForObject("select count(*) from record_slot", Long.class),
        jdbc.queryForObject("select count(*) from record_booking where holds", Long.class));
  }

  private org.springframework.jdbc.core.JdbcTemplate jdbc;

  /**
   * The free slots' ids alone, by the same kind of statement without decrypting anything: what the
   * database's part of {@link #freeSlotsOfAMonth} costs.
   */
  @Benchmark
  public int freeSlotIdsOfAMonth() {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    YearMonth month = YearMonth.from(FIRST_DAY).plusMonths(rnd.nextInt(months));
    UUID schedule = schedules.get(rnd.nextInt(schedules.size()));
    java.time.OffsetDateTime from = month.atDay(1).atStartOfDay(ZONE).toOffsetDateTime();
    java.time.OffsetDateTime to =
        month.plusMonths(1).atDay(1).atStartOfDay(ZONE).toOffsetDateTime();
    return jdbc.queryForList(
            "with candidate as materialized (select s.resource_id, s.during from record_slot s"
                + " where s.schedule_id = ? and s.free and lower(s.during) >= ?"
                + " and lower(s.during) < ?), taken as materialized (select range_agg(b.during)"
                + " as during from record_schedule_actor a join record_booking b"
                + " on b.actor_id = a.actor_id where a.schedule_id = ? and b.holds"
                + " and b.during && tstzrange(?, (select max(upper(during)) from candidate)))"
                + " select c.resource_id from candidate c, taken t"
                + " where t.during is null or not (t.during && c.during)",
            UUID.class,
            schedule,
            from,
            to,
            schedule,
            from)
        .size();
  }

  @TearDown
  public void stop() throws IOException {
    bench.close();
  }

  /** The store's query: a random practitioner's free slots over a random month, decrypted. */
  @Benchmark
  public List<StoredResource> freeSlotsOfAMonth() {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    YearMonth month = YearMonth.from(FIRST_DAY).plusMonths(rnd.nextInt(months));
    return store.freeSlots(
        system,
        schedules.get(rnd.nextInt(schedules.size())),
        month.atDay(1).atStartOfDay(ZONE).toInstant(),
        month.plusMonths(1).atDay(1).atStartOfDay(ZONE).toInstant(),
        500);
  }

  /**
   * The whole request: {@code GET /fhir/Slot?schedule=…&status=free&start=ge…&start=lt…} with a
   * front-desk token, through the access gate (an audited search) to the JSON Bundle.
   */
  @Benchmark
  public int freeSlotsOfAMonthOverHttp() throws Exception {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    YearMonth month = YearMonth.from(FIRST_DAY).plusMonths(rnd.nextInt(months));
    return overHttp(
        month.atDay(1).atStartOfDay(ZONE).toInstant(),
        month.plusMonths(1).atDay(1).atStartOfDay(ZONE).toInstant());
  }

  /**
   * The same request for one weekday (21 slots at most): what a request costs whatever it finds.
   */
  @Benchmark
  public int freeSlotsOfADayOverHttp() throws Exception {
    LocalDate day = FIRST_DAY.plusDays(ThreadLocalRandom.current().nextInt(months * 28));
    return overHttp(
        day.atStartOfDay(ZONE).toInstant(), day.plusDays(1).atStartOfDay(ZONE).toInstant());
  }

  private int overHttp(Instant from, Instant to) throws Exception {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    URI uri =
        server
            .baseUri()
            .resolve(
                "/fhir/Slot?schedule=Schedule/"
                    + schedules.get(rnd.nextInt(schedules.size()))
                    + "&status=free&start=ge"
                    + from
                    + "&start=lt"
                    + to
                    + "&_count=500");
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/fhir+json")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("free-slot search answered " + r.statusCode());
    }
    return r.body().length();
  }
}
