package org.phylax.bench.load;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/** Writes a run's figures: results.json (everything), summary.md (for people), latency.png. */
final class Report {

  /** Loading patients through transactions, before the scenarios at a size. */
  record Seeding(int from, int to, double seconds, double perSecond) {}

  /** The targets, for the summary's last column. */
  private static final Map<String, Double> THROUGHPUT_TARGETS =
      Map.of(
          "create Patient", 1_500.0,
          "read Patient", 3_000.0,
          "search Patient by family", 1_000.0,
          "mixed 40/20/20/20", 2_000.0);

  private Report() {}

  static void write(
      Path dir,
      LoadBench.Options o,
      List<Driver.Result> results,
      List<Seeding> seeding,
      Profile.Result profile,
      long rssMax,
      double minutes,
      CpuMeter.Sample cpu,
      double measuredSeconds,
      Jmh.Run jmh)
      throws IOException {
    JsonObject root = new JsonObject();
    root.addProperty("written", Instant.now().toString());
    root.add("machine", machine());
    JsonObject settings = new JsonObject();
    settings.addProperty("workers", o.workers);
    settings.addProperty("warmupSeconds", o.warmup);
    settings.addProperty("jitWarmupSeconds", LoadBench.jitWarmup.seconds());
    settings.addProperty(
        "jitCompilerShareOfACoreAtEnd", round(LoadBench.jitWarmup.compilerShare()));
    settings.addProperty("measuredSeconds", o.seconds);
    settings.addProperty("serverHeapLimit", o.heap);
    settings.addProperty("smallPatients", o.small);
    settings.addProperty("largePatients", o.large);
    root.add("settings", settings);
    JsonArray scenarios = new JsonArray();
    for (Driver.Result r : results) {
      JsonObject s = new JsonObject();
      s.addProperty("scenario", r.scenario());
      s.addProperty("workers", r.workers());
      s.addProperty("requests", r.requests());
      s.addProperty("errors", r.errors());
      s.addProperty("seconds", round(r.seconds()));
      s.addProperty("throughputPerSecond", round(r.throughput()));
      s.addProperty("p50Ms", round(r.p50Ms()));
      s.addProperty("p95Ms", round(r.p95Ms()));
      s.addProperty("p99Ms", round(r.p99Ms()));
      s.addProperty("maxMs", round(r.maxMs()));
      CpuMeter.Sample used = LoadBench.cpuByScenario.get(r.scenario());
      if (used != null && r.requests() > 0) {
        JsonObject perRequest = new JsonObject();
        perRequest.addProperty("serverJvm", round4(1000 * used.server() / r.requests()));
        perRequest.addProperty("postgres", round4(1000 * used.postgres() / r.requests()));
        perRequest.addProperty("loadGenerator", round4(1000 * used.generator() / r.requests()));
        s.add("cpuMsPerRequest", perRequest);
      }
      scenarios.add(s);
    }
    root.add("scenarios", scenarios);
    JsonArray loads = new JsonArray();
    for (Seeding s : seeding) {
      JsonObject l = new JsonObject();
      l.addProperty("fromPatients", s.from());
      l.addProperty("toPatients", s.to());
      l.addProperty("seconds", round(s.seconds()));
      l.addProperty("patientsPerSecond", round(s.perSecond()));
      loads.add(l);
    }
    root.add("seeding", loads);
    JsonObject p = new JsonObject();
    p.addProperty("executionSamples", profile.samples());
    p.addProperty("cryptoShare", round4(profile.crypto()));
    p.addProperty("auditShare", round4(profile.audit()));
    JsonObject parts = new JsonObject();
    profile.parts().forEach((k, v) -> parts.addProperty(k, round4(v)));
    p.add("sharesByInnermostPart", parts);
    p.addProperty("serverJvmCpu", round4(profile.jvmCpu()));
    p.addProperty("machineCpu", round4(profile.machineCpu()));
    double machine = measuredSeconds * Runtime.getRuntime().availableProcessors();
    JsonObject use = new JsonObject();
    use.addProperty("serverJvm", round4(cpu.server() / machine));
    use.addProperty("postgres", round4(cpu.postgres() / machine));
    use.addProperty("loadGenerator", round4(cpu.generator() / machine));
    p.add("machineShareDuringMeasuredPeriods", use);
    root.add("profile", p);
    JsonObject memory = new JsonObject();
    memory.addProperty("heapUsedMaxBytes", profile.heapUsedMax());
    memory.addProperty("heapUsedAfterGcMaxBytes", profile.heapUsedAfterGcMax());
    memory.addProperty("heapCommittedMaxBytes", profile.heapCommittedMax());
    memory.addProperty("rssMaxBytes", rssMax);
    root.add("memory", memory);
    if (jmh != null) {
      root.add("jmh", jmhJson(jmh));
    }
    root.addProperty("minutes", round(minutes));
    Files.writeString(
        dir.resolve("results.json"), new GsonBuilder().setPrettyPrinting().create().toJson(root));
    chart(dir.resolve("latency.png"), results);
    String md = summary(o, results, seeding, profile, rssMax, minutes);
    md +=
        String.format(
            Locale.ROOT,
            "\nThe machine's CPU during the measured periods (/proc times): server JVM %.0f%%,"
                + " its PostgreSQL processes %.0f%%, load generator %.0f%%.\n",
            100 * cpu.server() / machine,
            100 * cpu.postgres() / machine,
            100 * cpu.generator() / machine);
    md += cpuPerRequest(results);
    if (jmh != null) {
      md += jmhSummary(jmh);
    }
    Files.writeString(dir.resolve("summary.md"), md);
  }

  /**
   * CPU time per request of each scenario's measured period, by process (/proc times), and how many
   * of the machine's cores the three kept busy together.
   */
  private static String cpuPerRequest(List<Driver.Result> results) {
    StringBuilder md = new StringBuilder();
    md.append(
        "\nCPU per request in each measured period (ms; /proc times of the three processes), and"
            + " how many of the machine's cores they kept busy together:\n\n");
    md.append("| scenario | server JVM | PostgreSQL | load generator | all three | cores busy |\n");
    md.append("| --- | ---: | ---: | ---: | ---: | ---: |\n");
    for (Driver.Result r : results) {
      CpuMeter.Sample used = LoadBench.cpuByScenario.get(r.scenario());
      if (used == null || r.requests() == 0) {
        continue;
      }
      double all = used.server() + used.postgres() + used.generator();
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %.3f | %.3f | %.3f | %.3f | %.2f of %d |\n",
              r.scenario(),
              1000 * used.server() / r.requests(),
              1000 * used.postgres() / r.requests(),
              1000 * used.generator() / r.requests(),
              1000 * all / r.requests(),
              all / r.seconds(),
              Runtime.getRuntime().availableProcessors()));
    }
    return md.toString();
  }

  private static String summary(
      LoadBench.Options o,
      List<Driver.Result> results,
      List<Seeding> seeding,
      Profile.Result profile,
      long rssMax,
      double minutes) {
    StringBuilder md = new StringBuilder();
    md.append("# Phylax HTTP benchmark\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "%s; %d CPUs, Java %s (%s), %s. One run, %.1f minutes. Server: `serve`, dev profile,"
                + " embedded PostgreSQL, -Xmx%s, every safeguard on (field encryption, blind"
                + " indexes, access decision, audit event committed before each answer); load"
                + " generator in another JVM on the same machine, %d closed-loop workers, %.0f s"
                + " warm-up and %.0f s measured per scenario, backend-service token"
                + " (client credentials). Before the first scenario, %.0f s of JIT warm-up (the"
                + " server's compilers used %.0f%% of a core in its last 5 s).\n\n",
            Instant.now(),
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version"),
            System.getProperty("java.vm.name"),
            System.getProperty("os.name") + " " + System.getProperty("os.arch"),
            minutes,
            o.heap,
            o.workers,
            o.warmup,
            o.seconds,
            LoadBench.jitWarmup.seconds(),
            LoadBench.jitWarmup.compilerShare() * 100));
    md.append(
        "| scenario | requests | errors | per second | p50 ms | p95 ms | p99 ms | target |\n");
    md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
    for (Driver.Result r : results) {
      String base = r.scenario().replaceAll("@.*", "");
      Double target = THROUGHPUT_TARGETS.get(base);
      String verdict =
          target == null
              ? (base.startsWith("mixed at 70%")
                  ? "p99 ≤ 50 ms: " + (r.p99Ms() <= 50 ? "met" : "missed")
                  : "")
              : String.format(
                  Locale.ROOT,
                  "≥ %,.0f/s: %s",
                  target,
                  r.throughput() >= target ? "met" : "missed");
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %d | %,.0f | %.1f | %.1f | %.1f | %s |\n",
              r.scenario(),
              r.requests(),
              r.errors(),
              r.throughput(),
              r.p50Ms(),
              r.p95Ms(),
              r.p99Ms(),
              verdict));
    }
    md.append("\n![latency](latency.png)\n\n");
    md.append("Loading patients (transactions of 250 Patients, two at a time):\n\n");
    for (Seeding s : seeding) {
      md.append(
          String.format(
              Locale.ROOT,
              "- %,d → %,d patients: %.1f s, %,.0f patients/s\n",
              s.from(),
              s.to(),
              s.seconds(),
              s.perSecond()));
    }
    md.append(
        String.format(
            Locale.ROOT,
            "\nWhere the server's CPU went during the measured periods (%,d execution samples;"
                + " server JVM CPU %.0f%% of the machine, machine %.0f%%):\n\n",
            profile.samples(),
            profile.jvmCpu() * 100,
            profile.machineCpu() * 100));
    md.append(
        String.format(
            Locale.ROOT,
            "- field encryption and blind indexes: **%.1f%%** (target ≤ 5%%: %s)\n"
                + "- audit log: **%.1f%%** (target ≤ 15%%: %s)\n",
            profile.crypto() * 100,
            profile.crypto() <= 0.05 ? "met" : "missed",
            profile.audit() * 100,
            profile.audit() <= 0.15 ? "met" : "missed"));
    md.append(
        "\nAll samples by the innermost part on their stack (each sample counts once; the"
            + " JDK's own frames, e.g. collections and strings, go to the part that called them"
            + " only when no part is nearer the leaf):\n\n");
    profile
        .parts()
        .forEach((k, v) -> md.append(String.format(Locale.ROOT, "- %s: %.1f%%\n", k, v * 100)));
    md.append(
        String.format(
            Locale.ROOT,
            "\nMemory under load: heap used at most %,d MB (%,d MB after a GC; limit %s),"
                + " resident set at most %,d MB (targets: heap ≤ 512 MB, RSS ≤ 1 GiB).\n",
            profile.heapUsedMax() >> 20,
            profile.heapUsedAfterGcMax() >> 20,
            o.heap,
            rssMax >> 20));
    return md.toString();
  }

  /** The suite's figures, and where the full JMH output is. */
  private static JsonObject jmhJson(Jmh.Run jmh) {
    JsonObject j = new JsonObject();
    j.addProperty("resultFile", Jmh.RESULT_FILE);
    j.addProperty("log", Jmh.LOG_FILE);
    j.addProperty("exitCode", jmh.exitCode());
    j.addProperty("seconds", round(jmh.seconds()));
    j.addProperty("settings", jmh.settings());
    JsonArray rows = new JsonArray();
    for (Jmh.Row r : jmh.rows()) {
      JsonObject b = new JsonObject();
      b.addProperty("benchmark", r.benchmark());
      b.addProperty("mode", r.mode());
      b.addProperty("threads", r.threads());
      b.addProperty("forks", r.forks());
      b.addProperty("score", r.score());
      // JSON has no NaN: a single measured iteration has no error bar, sample time alone has
      // p50/p99.
      if (!Double.isNaN(r.error())) {
        b.addProperty("scoreError", r.error());
      }
      b.addProperty("unit", r.unit());
      if (!Double.isNaN(r.p50())) {
        b.addProperty("p50", r.p50());
        b.addProperty("p99", r.p99());
      }
      rows.add(b);
    }
    j.add("benchmarks", rows);
    return j;
  }

  private static String jmhSummary(Jmh.Run jmh) {
    StringBuilder md = new StringBuilder();
    md.append("\n## Micro-benchmarks (JMH)\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "Run before the server was started (never alongside the HTTP load), in %.0f s: %s."
                + " Field cipher,"
                + " blind index and HAPI JSON in a fork each; access decision and audit append in"
                + " one JVM on one shared server (embedded PostgreSQL). Error: JMH's 99.9%%"
                + " interval (none with a single iteration). Sample-time rows also give p50 and"
                + " p99. Every figure in `%s`, the whole output in `%s`.\n\n",
            jmh.seconds(),
            jmh.settings(),
            Jmh.RESULT_FILE,
            Jmh.LOG_FILE));
    if (jmh.exitCode() != 0) {
      md.append(
          String.format(
              Locale.ROOT,
              "**The suite exited with status %d: some classes are missing below (see `%s`).**\n\n",
              jmh.exitCode(),
              Jmh.LOG_FILE));
    }
    md.append("| benchmark | mode | threads | score ± error | unit | p50 | p99 |\n");
    md.append("| --- | --- | ---: | ---: | --- | ---: | ---: |\n");
    for (Jmh.Row r : jmh.rows()) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %d | %s | %s | %s | %s |\n",
              r.benchmark(),
              r.mode(),
              r.threads(),
              Double.isNaN(r.error())
                  ? figure(r.score())
                  : figure(r.score()) + " ± " + figure(r.error()),
              r.unit(),
              Double.isNaN(r.p50()) ? "" : figure(r.p50()),
              Double.isNaN(r.p99()) ? "" : figure(r.p99())));
    }
    return md.toString();
  }

  /** Three significant digits or so, with thousands separators: 0.254, 12.4, 2,313. */
  private static String figure(double v) {
    double a = Math.abs(v);
    String pattern = a >= 100 ? "%,.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f";
    return String.format(Locale.ROOT, pattern, v);
  }

  /** p50, p95 and p99 of every scenario as grouped bars, on a log scale of milliseconds. */
  private static void chart(Path file, List<Driver.Result> results) throws IOException {
    int rowHeight = 34;
    int left = 330;
    int width = 1100;
    int top = 50;
    int height = top + results.size() * rowHeight + 50;
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    g.setColor(Color.BLACK);
    g.drawString("Latency per scenario (ms, log scale)", 10, 24);
    String[] legend = {"p50", "p95", "p99"};
    double lo = Math.log10(0.5);
    double hi = Math.log10(2_000);
    int plot = width - left - 30;
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    for (double tick : new double[] {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000}) {
      int x = left + (int) ((Math.log10(tick) - lo) / (hi - lo) * plot);
      g.setColor(new Color(225, 225, 225));
      g.setStroke(new BasicStroke(1));
      g.drawLine(x, top - 5, x, height - 40);
      g.setColor(Color.DARK_GRAY);
      g.drawString(String.valueOf((int) tick), x - 6, height - 25);
    }
    Color[] colors = {new Color(90, 150, 220), new Color(240, 170, 60), new Color(210, 70, 70)};
    for (int i = 0; i < 3; i++) {
      g.setColor(colors[i]);
      g.fillRect(left + i * 80, 12, 14, 14);
      g.setColor(Color.BLACK);
      g.drawString(legend[i], left + i * 80 + 20, 24);
    }
    int y = top;
    for (Driver.Result r : results) {
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      g.drawString(r.scenario(), 8, y + 17);
      double[] values = {r.p50Ms(), r.p95Ms(), r.p99Ms()};
      for (int i = 0; i < 3; i++) {
        double v = Math.max(values[i], 0.5);
        int w = (int) ((Math.log10(Math.min(v, 2_000)) - lo) / (hi - lo) * plot);
        g.setColor(colors[i]);
        g.fillRect(left, y + 3 + i * 9, Math.max(w, 1), 8);
      }
      y += rowHeight;
    }
    g.dispose();
    ImageIO.write(image, "png", file.toFile());
  }

  private static JsonObject machine() {
    JsonObject m = new JsonObject();
    m.addProperty("cpus", Runtime.getRuntime().availableProcessors());
    m.addProperty("memoryBytes", totalMemory());
    m.addProperty("java", System.getProperty("java.version"));
    m.addProperty("vm", System.getProperty("java.vm.name"));
    m.addProperty("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    m.addProperty("arch", System.getProperty("os.arch"));
    m.addProperty(
        "loadAverageAtEnd", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    return m;
  }

  private static long totalMemory() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux
    }
    return -1;
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  private static double round4(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }
}
