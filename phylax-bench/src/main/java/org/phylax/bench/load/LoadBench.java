package org.phylax.bench.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The whole HTTP benchmark in one run: starts Phylax ({@code serve}, embedded PostgreSQL, every
 * safeguard on) in a JVM of its own under Java Flight Recorder, registers a backend client, loads
 * patients through transaction bundles, runs each scenario (warm-up, then a measured period), grows
 * the data to the large size and runs read and search again, then writes {@code results.json},
 * {@code summary.md} and {@code latency.png} under {@code bench-results/<timestamp>/}.
 *
 * <p>Before the server starts, the JMH suite runs alone ({@link Jmh}; {@code --no-jmh} leaves it
 * out) and writes {@code jmh.json} next to the other files; its figures go into the report too.
 *
 * <p>Options (all optional): {@code --small 10000 --large 100000 --seconds 15 --warmup 5 --workers
 * 16 --heap 512m --out bench-results}. {@code --quick} shrinks everything for a smoke run (1,000
 * and 3,000 patients, 4 s periods, one JMH iteration per benchmark).
 */
public final class LoadBench {

  private LoadBench() {}

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path out = Files.createDirectories(o.out.resolve(stamp));
    Path work = Files.createTempDirectory("phylax-load-");
    long began = System.nanoTime();
    List<Driver.Result> results = new ArrayList<>();
    List<Report.Seeding> seeding = new ArrayList<>();
    List<Profile.Window> windows = new ArrayList<>();
    AtomicLong rssMax = new AtomicLong(-1);
    Profile.Result profile;
    Jmh.Run jmh = null;
    if (o.jmh) {
      say(
          "JMH suite first, before the server starts (%s settings; output in %s)",
          o.quick ? "quick" : "short", out.resolve(Jmh.LOG_FILE));
      jmh = Jmh.run(out, o.quick);
      say(
          "JMH suite: %d results in %.0f s%s",
          jmh.rows().size(),
          jmh.seconds(),
          jmh.exitCode() == 0 ? "" : " (exit status " + jmh.exitCode() + ", see jmh.log)");
    }
    try (ServerProcess server = ServerProcess.start(work, o.heap)) {
      say("server pid %d at %s (heap -Xmx%s, data %s)", server.pid(), server.base(), o.heap, work);
      meter = new CpuMeter(server.pid());
      String credentials = server.tool("clients", "add", "--scope", "system/*.*", "bench-load");
      Fhir fhir =
          new Fhir(
              server.base(), field(credentials, "client_id"), field(credentials, "client_secret"));
      fhir.authenticate();
      List<String> ids = Collections.synchronizedList(new ArrayList<>());
      seeding.add(seed(fhir, ids, o.small));
      AtomicReference<Boolean> measuring = new AtomicReference<>(false);
      Thread rss =
          new Thread(
              () -> {
                while (!Thread.currentThread().isInterrupted()) {
                  if (measuring.get()) {
                    rssMax.accumulateAndGet(server.rssBytes(), Math::max);
                  }
                  try {
                    Thread.sleep(250);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "rss");
      rss.setDaemon(true);
      rss.start();

      String at = "@" + o.small;
      List<String> frozen = List.copyOf(ids);
      Scenario read = w -> fhir.readPatient(pick(frozen));
      Scenario search = w -> fhir.searchFamily(Fhir.family(rnd().nextInt(Fhir.FAMILIES)));
      Scenario create = w -> fhir.createPatient() != null;
      Scenario update = w -> fhir.updatePatient(pick(frozen));
      Scenario mixed =
          w -> {
            int r = rnd().nextInt(100);
            if (r < 40) {
              return fhir.readPatient(pick(frozen));
            } else if (r < 60) {
              return fhir.createPatient() != null;
            } else if (r < 80) {
              return fhir.updatePatient(pick(frozen));
            }
            return fhir.searchFamily(Fhir.family(rnd().nextInt(Fhir.FAMILIES)));
          };
      int bundlePatients = 1;
      int bundleObservations = 19;
      Scenario transaction = w -> fhir.transaction(bundlePatients, bundleObservations) != null;
      // A fresh JVM runs interpreted and C1 code for its first minutes; the short warm-up of each
      // scenario does not cover that, so the first scenarios would measure the JIT.
      jitWarmup = warmUpJit(o, w -> rnd().nextInt(20) == 0 ? transaction.send(w) : mixed.send(w));
      measuring.set(true);
      results.add(measure(o, fhir, "read Patient" + at, read, 0, windows));
      results.add(measure(o, fhir, "search Patient by family" + at, search, 0, windows));
      results.add(measure(o, fhir, "create Patient" + at, create, 0, windows));
      results.add(measure(o, fhir, "update Patient" + at, update, 0, windows));
      Driver.Result peak = measure(o, fhir, "mixed 40/20/20/20" + at, mixed, 0, windows);
      results.add(peak);
      results.add(
          measure(o, fhir, "mixed at 70% of peak" + at, mixed, peak.throughput() * 0.7, windows));
      results.add(
          measure(
              o,
              fhir,
              "transaction: "
                  + bundlePatients
                  + " Patient + "
                  + bundleObservations
                  + " Observations"
                  + at,
              transaction,
              0,
              windows));
      measuring.set(false);

      seeding.add(seed(fhir, ids, o.large));
      List<String> grown = List.copyOf(ids);
      String big = "@" + o.large;
      measuring.set(true);
      results.add(
          measure(o, fhir, "read Patient" + big, w -> fhir.readPatient(pick(grown)), 0, windows));
      results.add(measure(o, fhir, "search Patient by family" + big, search, 0, windows));
      measuring.set(false);
      rss.interrupt();
      say("stopping the server (the flight recording is written on exit)");
    }
    Path recording = Files.move(work.resolve("server.jfr"), out.resolve("server.jfr"));
    Files.move(work.resolve("server.log"), out.resolve("server.log"));
    if (o.keep) {
      say("data kept in %s (PHYLAX_DATA_DIR=%s ./phylax serve)", work, work.resolve("data"));
    } else {
      try (var files = Files.walk(work)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    profile = Profile.of(recording, windows);
    double minutes = (System.nanoTime() - began) / 6e10;
    Report.write(
        out, o, results, seeding, profile, rssMax.get(), minutes, cpu, measuredSeconds, jmh);
    say("results in %s (%.1f minutes in all)", out.toAbsolutePath(), minutes);
  }

  /**
   * How the JIT warm-up ended: its length, and the share of one core the server's JIT compilers
   * used in its last slice.
   */
  record JitWarmup(double seconds, double compilerShare) {}

  /** The JIT warm-up of this run. */
  static JitWarmup jitWarmup = new JitWarmup(0, Double.NaN);

  /**
   * A JIT compiler that uses less than this share of one core over a slice has settled: what it
   * still compiles is rare paths, not the request path.
   */
  static final double JIT_SETTLED = 0.05;

  private static final double JIT_SLICE_SECONDS = 5;

  /**
   * Runs {@code call} (not measured) in slices of 5 s until the server's JIT compilers have
   * settled, for at least {@code --jit-min} and at most {@code --jit-warmup} seconds. With a fixed
   * warm-up of 45 s, C2 still used about 60 % of a core during the first measured scenario (9.5 s
   * of compilation in its 15 s, against 0.7 s in the same scenario three minutes later), and that
   * scenario ran 40 % slower than the same requests at the end of the run.
   */
  private static JitWarmup warmUpJit(Options o, Driver.Call call) throws Exception {
    say(
        "JIT warm-up: the mixed workload and some transactions, not measured, until the server's"
            + " compilers use under %.0f%% of a core (%.0f–%.0f s)",
        JIT_SETTLED * 100, Math.min(o.jitMinimum, o.jitWarmup), o.jitWarmup);
    double slice = Math.min(JIT_SLICE_SECONDS, o.jitWarmup);
    double elapsed = 0;
    double share = Double.NaN;
    StringBuilder trace = new StringBuilder();
    while (elapsed < o.jitWarmup) {
      double before = meter.compilerSeconds();
      Driver.run("jit warm-up", Math.max(2, o.workers / 4), 0, slice, Long.MAX_VALUE, call);
      elapsed += slice;
      share = (meter.compilerSeconds() - before) / slice;
      trace.append(String.format(Locale.ROOT, " %.0f%%", share * 100));
      if (elapsed >= o.jitMinimum && share < JIT_SETTLED) {
        break;
      }
    }
    say("  %.0f s; compilers' share of a core per %.0f s slice:%s", elapsed, slice, trace);
    return new JitWarmup(elapsed, share);
  }

  /** One request of a scenario; true when it was answered as expected. */
  @FunctionalInterface
  interface Scenario extends Driver.Call {}

  /** CPU used during the measured periods, summed. */
  static CpuMeter meter;

  static CpuMeter.Sample cpu = new CpuMeter.Sample(0, 0, 0);

  static double measuredSeconds;

  /** CPU used during each scenario's measured period, by scenario name. */
  static final Map<String, CpuMeter.Sample> cpuByScenario = new LinkedHashMap<>();

  private static Driver.Result measure(
      Options o,
      Fhir fhir,
      String name,
      Driver.Call call,
      double rate,
      List<Profile.Window> windows)
      throws Exception {
    fhir.authenticate();
    say(
        "%s: %.0f s warm-up, %.0f s measured%s",
        name, o.warmup, o.seconds, rate > 0 ? String.format(Locale.ROOT, " at %.0f/s", rate) : "");
    int workers = rate > 0 ? o.workers * 2 : o.workers;
    CpuMeter.Sample before = meter.sample();
    long began = System.nanoTime();
    Driver.Result r = Driver.run(name, workers, o.warmup, o.seconds, o.maxRequests, rate, call);
    // The samples span the warm-up and the measured period; the measured period is charged its
    // share of the time (both run the same load).
    CpuMeter.Sample after = meter.sample();
    CpuMeter.Sample used = after.minus(before);
    double share = r.seconds() / Math.max(r.seconds(), (System.nanoTime() - began) / 1e9);
    CpuMeter.Sample measured =
        new CpuMeter.Sample(
            used.server() * share, used.postgres() * share, used.generator() * share);
    cpu = cpu.plus(measured);
    cpuByScenario.put(name, measured);
    measuredSeconds += r.seconds();
    windows.add(new Profile.Window(r.startMillis(), r.endMillis()));
    say(
        "  %,.0f/s  p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  errors %d of %d",
        r.throughput(), r.p50Ms(), r.p95Ms(), r.p99Ms(), r.errors(), r.requests());
    return r;
  }

  /** Grows the patients to {@code target} with transactions of 250, two at a time. */
  private static Report.Seeding seed(Fhir fhir, List<String> ids, int target) throws Exception {
    fhir.authenticate();
    int before = ids.size();
    long t0 = System.nanoTime();
    ConcurrentLinkedQueue<Exception> failures = new ConcurrentLinkedQueue<>();
    List<Thread> loaders = new ArrayList<>();
    AtomicLong lastSaid = new AtomicLong(System.nanoTime());
    AtomicLong reserved = new AtomicLong(ids.size());
    for (int t = 0; t < 2; t++) {
      Thread loader =
          new Thread(
              () -> {
                try {
                  while (true) {
                    long from = reserved.getAndAdd(250);
                    if (from >= target) {
                      break;
                    }
                    List<String> made = fhir.transaction((int) Math.min(250, target - from), 0);
                    if (made == null) {
                      throw new IllegalStateException("a seeding transaction failed");
                    }
                    ids.addAll(made);
                    if (System.nanoTime() - lastSaid.get() > 10e9) {
                      lastSaid.set(System.nanoTime());
                      say("  loaded %,d patients", ids.size());
                    }
                  }
                } catch (Exception e) {
                  failures.add(e);
                }
              });
      loaders.add(loader);
      loader.start();
    }
    for (Thread t : loaders) {
      t.join();
    }
    if (!failures.isEmpty()) {
      throw failures.peek();
    }
    double s = (System.nanoTime() - t0) / 1e9;
    int added = ids.size() - before;
    say("loaded %,d patients in %.1f s (%,.0f/s); %,d in all", added, s, added / s, ids.size());
    return new Report.Seeding(before, ids.size(), s, added / s);
  }

  private static String pick(List<String> ids) {
    return ids.get(rnd().nextInt(ids.size()));
  }

  private static ThreadLocalRandom rnd() {
    return ThreadLocalRandom.current();
  }

  private static String field(String output, String name) {
    return output
        .lines()
        .filter(l -> l.startsWith(name + "="))
        .map(l -> l.substring(name.length() + 1).strip())
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no " + name + " in: " + output));
  }

  static void say(String format, Object... args) {
    System.out.printf(Locale.ROOT, format + "%n", args);
  }

  /** The command line. */
  static final class Options {
    int small = 10_000;
    int large = 100_000;
    double seconds = 15;
    double warmup = 5;
    double jitWarmup = 150;
    double jitMinimum = 30;
    boolean keep;
    boolean jmh = true;
    boolean quick;
    int workers = 16;
    long maxRequests = 2_000_000;
    String heap = "512m";
    Path out = Path.of("bench-results");

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--quick" -> {
            o.quick = true;
            o.small = 1_000;
            o.large = 3_000;
            o.seconds = 4;
            o.warmup = 2;
            o.jitWarmup = 5;
            o.jitMinimum = 5;
          }
          case "--keep" -> o.keep = true;
          case "--no-jmh" -> o.jmh = false;
          case "--jit-warmup" -> o.jitWarmup = Double.parseDouble(args[++i]);
          case "--jit-min" -> o.jitMinimum = Double.parseDouble(args[++i]);
          case "--small" -> o.small = Integer.parseInt(args[++i]);
          case "--large" -> o.large = Integer.parseInt(args[++i]);
          case "--seconds" -> o.seconds = Double.parseDouble(args[++i]);
          case "--warmup" -> o.warmup = Double.parseDouble(args[++i]);
          case "--workers" -> o.workers = Integer.parseInt(args[++i]);
          case "--heap" -> o.heap = args[++i];
          case "--out" -> o.out = Path.of(args[++i]);
          default -> {
            System.err.println("phylax-bench: unknown option " + a);
            System.exit(2);
          }
        }
      }
      return o;
    }
  }
}
