package org.phylax.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.phylax.audit.AuditCheckpoints;
import org.phylax.audit.AuditEvent;
import org.phylax.audit.AuditLog;
import org.phylax.audit.AuditUnavailableException;
import org.phylax.audit.AuditVerifier;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.PhylaxSettings;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Load on the real audit log: Phylax started as {@code serve} starts it (embedded PostgreSQL in a
 * data directory, scheduled checkpoints on), then
 *
 * <ol>
 *   <li>sustained append: {@code --writers} threads (8) each calling {@link AuditLog#record} in a
 *       loop for {@code --seconds} (30) after {@code --warmup} (10); prints events/s and the
 *       latency of {@code record()} (from the call to its return, i.e. until the event is
 *       committed);
 *   <li>fill: appends through the same {@code AuditLog} until the log holds {@code --events}
 *       (1,000,000), with more threads so that batches are full;
 *   <li>a checkpoint over the full log, timed;
 *   <li>{@link AuditVerifier#verify()} in this JVM, timed {@code --runs} times (2);
 *   <li>after closing the server, the real command {@code audit verify} in a new JVM ({@code
 *       --cli}, by default {@code java -jar phylax-server/target/phylax-exec.jar}), timed {@code
 *       --runs} times, and {@code audit checkpoint} with nothing to do, the command's fixed cost.
 * </ol>
 *
 * <p>Options: {@code --writers N --warmup S --seconds S --events N --fill-writers N --runs N
 * --checkpoint-poll DURATION --data-dir DIR --cli COMMAND|none --phases append,fill,verify,cli}.
 * Without {@code --data-dir} a temporary directory is used and deleted at the end; with it, the
 * data stays, and a later run with {@code --phases verify,cli} measures the same log again.
 */
public final class AuditLoad {

  private static final String USER_AGENT =
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
          + " Chrome/131.0.0.0 Safari/537.36";

  private final Map<String, String> options;
  private Path dataDir;
  private final UUID[] patients = new UUID[10_000];

  private AuditLoad(Map<String, String> options) {
    this.options = options;
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    for (int i = 0; i < patients.length; i++) {
      patients[i] = new UUID(rnd.nextLong(), rnd.nextLong());
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>();
    options.put("writers", "8");
    options.put("warmup", "10");
    options.put("seconds", "30");
    options.put("events", "1000000");
    options.put("fill-writers", "64");
    options.put("runs", "2");
    options.put("checkpoint-poll", "5s");
    options.put("cli", "java -jar phylax-server/target/phylax-exec.jar");
    options.put("phases", "append,fill,verify,cli");
    for (int i = 0; i < args.length; i++) {
      String key = args[i].startsWith("--") ? args[i].substring(2) : "";
      if (!options.containsKey(key) && !key.equals("data-dir") || i + 1 == args.length) {
        System.err.println("AuditLoad: unknown option or missing value: " + args[i]);
        System.exit(2);
      }
      options.put(key, args[++i]);
    }
    new AuditLoad(options).run();
  }

  private int intOption(String key) {
    return Integer.parseInt(options.get(key));
  }

  private boolean phase(String name) {
    return Arrays.asList(options.get("phases").split(",")).contains(name);
  }

  private void run() throws Exception {
    boolean temporary = !options.containsKey("data-dir");
    dataDir =
        temporary
            ? Files.createTempDirectory("phylax-auditload")
            : Path.of(options.get("data-dir")).toAbsolutePath();
    Files.createDirectories(dataDir);
    System.out.printf(
        "machine: %d cores, load average %s; Java %s; data %s%n",
        Runtime.getRuntime().availableProcessors(),
        loadAverage(),
        System.getProperty("java.version"),
        dataDir);
    try {
      if (phase("append") || phase("fill") || phase("verify")) {
        inServer();
      }
      if (phase("cli") && !options.get("cli").equals("none")) {
        cli();
      }
    } finally {
      if (temporary) {
        deleteTree(dataDir);
      }
    }
    System.out.println("done; load average " + loadAverage());
  }

  private void inServer() throws Exception {
    // The checkpoint schedule as the server runs it (every 5 s it checks whether 1,000 events or
    // 60 s have passed since the last one); --checkpoint-poll makes it check more often.
    System.setProperty("phylax.audit.checkpoint-poll", options.get("checkpoint-poll"));
    System.setProperty("logging.level.root", "WARN");
    // Tomcat's work directory inside the data directory, so that it goes with it.
    System.setProperty("server.tomcat.basedir", dataDir.resolve("tomcat").toString());
    PhylaxSettings settings =
        PhylaxSettings.of(
            Map.of(
                PhylaxSettings.DATA_DIR, dataDir.toString(),
                PhylaxSettings.PORT, Integer.toString(freePort())),
            PhylaxSettings.Profile.DEV);
    try (PhylaxServer server = PhylaxServer.start(settings)) {
      AuditLog log = server.context().getBean(AuditLog.class);
      JdbcTemplate jdbc = server.context().getBean(JdbcTemplate.class);
      if (phase("append")) {
        int writers = intOption("writers");
        System.out.printf(
            "%nappend: %d writers, warm-up %s s, checkpoint poll %s%n",
            writers, options.get("warmup"), options.get("checkpoint-poll"));
        append(log, writers, intOption("warmup"), false);
        long checkpointsBefore = checkpoints(jdbc);
        long seqBefore = Optional.ofNullable(maxSeq(jdbc)).orElse(0L);
        append(log, writers, intOption("seconds"), true);
        // Each group commit is one transaction, so its rows share their xmin.
        Map<String, Object> commits =
            jdbc.queryForMap(
                "select count(*) as events, count(distinct xmin::text) as commits"
                    + " from audit_event where seq > ?",
                seqBefore);
        long events = ((Number) commits.get("events")).longValue();
        long transactions = ((Number) commits.get("commits")).longValue();
        System.out.printf(
            "commits: %,d, %.1f events each; checkpoints signed: %d%n",
            transactions,
            (double) events / Math.max(transactions, 1),
            checkpoints(jdbc) - checkpointsBefore);
      }
      if (phase("fill")) {
        fill(log, jdbc, intOption("events"), intOption("fill-writers"));
        AuditCheckpoints checkpoints = server.context().getBean(AuditCheckpoints.class);
        for (int i = 0; i < 2; i++) {
          recordMany(log, 1000);
          long t0 = System.nanoTime();
          Optional<AuditCheckpoints.Made> made = checkpoints.checkpointNow();
          System.out.printf(
              "checkpoint at %s events: %.3f s%n",
              made.map(m -> Long.toString(m.size())).orElse("(already covered)"),
              seconds(System.nanoTime() - t0));
        }
      }
      if (phase("verify")) {
        AuditVerifier verifier = server.context().getBean(AuditVerifier.class);
        System.out.printf("%nverify in-process (load average %s)%n", loadAverage());
        for (int i = 1; i <= intOption("runs"); i++) {
          Cpu cpu = Cpu.now(dataDir);
          long t0 = System.nanoTime();
          AuditVerifier.Verification v = verifier.verify();
          System.out.printf(
              "  run %d: %.2f s  %s%n    CPU: %s%n",
              i,
              seconds(System.nanoTime() - t0),
              v.summary(),
              Cpu.now(dataDir).since(cpu, v.events()));
        }
      }
    }
  }

  /** Runs the writers for {@code seconds}; prints throughput and latency when {@code report}. */
  private void append(AuditLog log, int writers, int seconds, boolean report)
      throws InterruptedException {
    Cpu cpu = Cpu.now(dataDir);
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    AtomicLong failures = new AtomicLong();
    AtomicLong done = new AtomicLong();
    long[][] latencies = new long[writers][];
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      Thread t =
          new Thread(
              () -> {
                long[] mine = new long[1 << 16];
                int n = 0;
                while (System.nanoTime() < end) {
                  AuditEvent event = readEvent();
                  long t0 = System.nanoTime();
                  try {
                    log.record(event);
                  } catch (AuditUnavailableException e) {
                    failures.incrementAndGet();
                    continue;
                  }
                  if (n == mine.length) {
                    mine = Arrays.copyOf(mine, n * 2);
                  }
                  mine[n++] = System.nanoTime() - t0;
                  done.incrementAndGet();
                }
                latencies[writer] = Arrays.copyOf(mine, n);
              },
              "audit-load-" + w);
      threads.add(t);
      t.start();
    }
    long lastCount = 0;
    long lastAt = start;
    while (report && System.nanoTime() < end - TimeUnit.MILLISECONDS.toNanos(500)) {
      Thread.sleep(Math.min(5000, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
      long now = System.nanoTime();
      long count = done.get();
      System.out.printf(
          "  %5.1f s: %,8.0f events/s over the last %.1f s (load average %s)%n",
          seconds(now - start),
          (count - lastCount) / seconds(now - lastAt),
          seconds(now - lastAt),
          loadAverage());
      lastCount = count;
      lastAt = now;
    }
    for (Thread t : threads) {
      t.join();
    }
    double elapsed = seconds(System.nanoTime() - start);
    if (!report) {
      System.out.printf(
          "warm-up: %,d events in %.1f s (%,.0f/s)%n", done.get(), elapsed, done.get() / elapsed);
      return;
    }
    long[] all = Stream.of(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
    System.out.printf(
        "measured: %,d events in %.1f s = %,.0f events/s; failures %d%n",
        all.length, elapsed, all.length / elapsed, failures.get());
    System.out.println("CPU: " + Cpu.now(dataDir).since(cpu, all.length));
    System.out.printf(
        "record() latency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f  mean %.3f%n",
        millis(percentile(all, 0.50)),
        millis(percentile(all, 0.90)),
        millis(percentile(all, 0.99)),
        millis(percentile(all, 0.999)),
        millis(all.length == 0 ? 0 : all[all.length - 1]),
        millis((long) Arrays.stream(all).average().orElse(0)));
  }

  /** Appends until the log holds {@code target} events, as fast as the audit log takes them. */
  private void fill(AuditLog log, JdbcTemplate jdbc, long target, int writers)
      throws InterruptedException {
    long have = Optional.ofNullable(maxSeq(jdbc)).orElse(0L);
    AtomicLong left = new AtomicLong(target - have);
    if (left.get() <= 0) {
      System.out.printf("%nfill: the log already holds %,d events%n", have);
      return;
    }
    System.out.printf("%nfill: %,d events to %,d with %d writers%n", left.get(), target, writers);
    Cpu cpu = Cpu.now(dataDir);
    long start = System.nanoTime();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      Thread t =
          new Thread(
              () -> {
                while (left.getAndDecrement() > 0) {
                  log.record(readEvent());
                }
              },
              "audit-fill-" + w);
      threads.add(t);
      t.start();
    }
    long step = Math.max(target / 10, 1);
    long next = have + step;
    while (threads.stream().anyMatch(Thread::isAlive)) {
      Thread.sleep(200);
      long now = target - Math.max(left.get(), 0);
      if (now >= next) {
        System.out.printf(
            "  %,d events after %.1f s (load average %s)%n",
            now, seconds(System.nanoTime() - start), loadAverage());
        next += step;
      }
    }
    double elapsed = seconds(System.nanoTime() - start);
    long stored = maxSeq(jdbc);
    System.out.printf(
        "fill: %,d events in %.1f s = %,.0f events/s; the log holds %,d%n",
        stored - have, elapsed, (stored - have) / elapsed, stored);
    System.out.println("CPU: " + Cpu.now(dataDir).since(cpu, stored - have));
  }

  private void recordMany(AuditLog log, int count) {
    for (int i = 0; i < count; i++) {
      log.record(readEvent());
    }
  }

  private AuditEvent readEvent() {
    return AuditAppendBenchmark.readEvent(patients, USER_AGENT);
  }

  private void cli() throws IOException, InterruptedException {
    List<String> prefix = Arrays.asList(options.get("cli").trim().split("\\s+"));
    System.out.printf("%ncommand line: %s (load average %s)%n", prefix, loadAverage());
    for (int i = 1; i <= intOption("runs"); i++) {
      time(prefix, "audit", "verify");
    }
    time(prefix, "audit", "checkpoint");
  }

  private void time(List<String> prefix, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("PHYLAX_"));
    pb.environment().put(PhylaxSettings.DATA_DIR, dataDir.toString());
    pb.environment().put(PhylaxSettings.PROFILE, "dev"); // the master key the server generated
    Cpu cpu = Cpu.now(dataDir);
    long t0 = System.nanoTime();
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int status = p.waitFor();
    String last =
        output.lines().filter(l -> !l.contains("DEV MASTER KEY")).reduce((a, b) -> b).orElse("");
    System.out.printf(
        "  %s: %.2f s, exit %d: %s%n    CPU: %s%n",
        String.join(" ", args),
        seconds(System.nanoTime() - t0),
        status,
        last,
        Cpu.now(dataDir).since(cpu, 1).replaceAll(";.*", ""));
  }

  /**
   * CPU time so far: the whole machine's (busy and total, in clock ticks), this JVM's,
   * PostgreSQL's.
   */
  private record Cpu(long machineBusy, long machineTotal, long jvmNanos, long postgresNanos) {

    static Cpu now(Path dataDir) {
      long busy = 0;
      long total = 0;
      try {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        for (int i = 1; i < f.length && i <= 8; i++) {
          long v = Long.parseLong(f[i]);
          total += v;
          busy += (i == 4 || i == 5) ? 0 : v; // idle and iowait are not busy
        }
      } catch (IOException | RuntimeException e) {
        // not Linux: machine figures stay 0
      }
      long jvm =
          ((com.sun.management.OperatingSystemMXBean)
                  java.lang.management.ManagementFactory.getOperatingSystemMXBean())
              .getProcessCpuTime();
      long postgres = 0;
      try {
        long pid =
            Long.parseLong(Files.readAllLines(dataDir.resolve("pg/postmaster.pid")).get(0).strip());
        Optional<ProcessHandle> postmaster = ProcessHandle.of(pid);
        if (postmaster.isPresent()) {
          postgres =
              Stream.concat(Stream.of(postmaster.get()), postmaster.get().descendants())
                  .mapToLong(p -> p.info().totalCpuDuration().map(d -> d.toNanos()).orElse(0L))
                  .sum();
        }
      } catch (IOException | RuntimeException e) {
        // no embedded PostgreSQL to look at
      }
      return new Cpu(busy, total, jvm, postgres);
    }

    String since(Cpu before, long events) {
      double cores = Runtime.getRuntime().availableProcessors();
      long total = machineTotal - before.machineTotal;
      return String.format(
          Locale.ROOT,
          "machine busy %.0f%% of %d cores; per event: this JVM %.0f µs, PostgreSQL %.0f µs",
          total == 0 ? 0 : 100.0 * (machineBusy - before.machineBusy) / total,
          (int) cores,
          (jvmNanos - before.jvmNanos) / 1e3 / Math.max(events, 1),
          (postgresNanos - before.postgresNanos) / 1e3 / Math.max(events, 1));
    }
  }

  private static long checkpoints(JdbcTemplate jdbc) {
    return jdbc.queryForObject("select count(*) from audit_checkpoint", Long.class);
  }

  private static Long maxSeq(JdbcTemplate jdbc) {
    return jdbc.queryForObject("select max(seq) from audit_event", Long.class);
  }

  private static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }

  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return String.format(Locale.ROOT, "%s %s %s", parts[0], parts[1], parts[2]);
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
