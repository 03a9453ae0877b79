package org.phylax.bench.load;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Runs the JMH suite ({@code org.phylax.bench.JmhSuite}) in a JVM of its own before the server is
 * started, so the two never share the machine's cores, and reads back what it wrote to {@code
 * jmh.json}. Its whole output goes to {@code jmh.log}; the console gets one line per benchmark.
 */
final class Jmh {

  static final String RESULT_FILE = "jmh.json";
  static final String LOG_FILE = "jmh.log";

  /** One benchmark's primary result; p50 and p99 only for sample time (otherwise NaN). */
  record Row(
      String benchmark,
      String mode,
      int threads,
      int forks,
      double score,
      double error,
      String unit,
      double p50,
      double p99) {}

  /** What the suite did: its exit status, wall time and results (possibly fewer than asked). */
  record Run(int exitCode, double seconds, String settings, List<Row> rows) {}

  private Jmh() {}

  static Run run(Path out, boolean quick) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("org.phylax.bench.JmhSuite");
    command.add("--result");
    command.add(out.resolve(RESULT_FILE).toString());
    if (quick) {
      command.add("--quick");
    }
    long began = System.nanoTime();
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try (BufferedReader in =
            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Writer log = Files.newBufferedWriter(out.resolve(LOG_FILE))) {
      String line;
      while ((line = in.readLine()) != null) {
        log.write(line);
        log.write('\n');
        if (line.startsWith("# Benchmark: ") || line.startsWith("jmh-suite: ")) {
          LoadBench.say("  %s", line.replace("# Benchmark: org.phylax.bench.", "JMH "));
        }
      }
    } finally {
      // Ending the run (Ctrl-C aside) must not leave the suite and its server running.
      if (p.isAlive() && !p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroy();
      }
    }
    int exit = p.waitFor();
    double seconds = (System.nanoTime() - began) / 1e9;
    Path json = out.resolve(RESULT_FILE);
    if (!Files.exists(json)) {
      return new Run(exit, seconds, "no results", List.of());
    }
    JsonArray all = JsonParser.parseString(Files.readString(json)).getAsJsonArray();
    return new Run(exit, seconds, settings(all), rows(all));
  }

  /** The iteration settings, from the first result (the suite gives every benchmark the same). */
  static String settings(JsonArray all) {
    if (all.isEmpty()) {
      return "no results";
    }
    JsonObject b = all.get(0).getAsJsonObject();
    return String.format(
        Locale.ROOT,
        "%d × %s warm-up, %d × %s measured per benchmark",
        b.get("warmupIterations").getAsInt(),
        b.get("warmupTime").getAsString(),
        b.get("measurementIterations").getAsInt(),
        b.get("measurementTime").getAsString());
  }

  /** The rows of a JMH JSON result file. */
  static List<Row> rows(JsonArray all) {
    List<Row> rows = new ArrayList<>();
    for (JsonElement e : all) {
      JsonObject b = e.getAsJsonObject();
      JsonObject primary = b.getAsJsonObject("primaryMetric");
      JsonObject percentiles = primary.getAsJsonObject("scorePercentiles");
      boolean sample = "sample".equals(b.get("mode").getAsString());
      rows.add(
          new Row(
              b.get("benchmark").getAsString().replace("org.phylax.bench.", ""),
              b.get("mode").getAsString(),
              b.get("threads").getAsInt(),
              b.get("forks").getAsInt(),
              number(primary.get("score")),
              number(primary.get("scoreError")),
              primary.get("scoreUnit").getAsString(),
              sample ? number(percentiles.get("50.0")) : Double.NaN,
              sample ? number(percentiles.get("99.0")) : Double.NaN));
    }
    return rows;
  }

  /** JMH writes an error it could not compute (a single iteration) as the string "NaN". */
  private static double number(JsonElement e) {
    return e == null || e.isJsonNull() ? Double.NaN : Double.parseDouble(e.getAsString());
  }
}
