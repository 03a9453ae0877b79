package org.phylax.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The JMH part of the one-command benchmark ({@code ./phylax-bench/run}, which starts this in a JVM
 * of its own before the HTTP load): short settings, every benchmark class but {@code
 * FreeSlotBenchmark} (its year of appointments takes minutes to set up), one JSON result file.
 *
 * <p>The pure-CPU classes (field cipher, blind index, HAPI JSON) run in a fork each, as JMH
 * intends. The classes that need the real server (access decision, audit append) run in this JVM
 * without forking, on one shared server ({@link BenchServer#SHARED}): starting Phylax and its
 * PostgreSQL for each of their five methods took three to four of the ten minutes the whole command
 * may take. Their operations are database round trips of a millisecond or so, which a shared JIT
 * profile hardly moves.
 *
 * <p>Arguments: {@code --result FILE} (required) and {@code --quick} (one warm-up and one measured
 * iteration instead of two and three). Exits 1 when a class failed; the others' results are still
 * written.
 */
public final class JmhSuite {

  /** Run in a fork each. */
  static final List<String> FORKED =
      List.of("FieldCipherBenchmark", "BlindIndexBenchmark", "FhirJsonBenchmark");

  /** Run in this JVM, on one shared server. */
  static final List<String> ON_SHARED_SERVER =
      List.of("AccessDecisionBenchmark", "AuditAppendBenchmark");

  private JmhSuite() {}

  public static void main(String[] args) throws IOException {
    Path result = null;
    boolean quick = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--result" -> result = Path.of(args[++i]);
        case "--quick" -> quick = true;
        default -> {
          System.err.println("jmh-suite: unknown argument " + args[i]);
          System.exit(2);
        }
      }
    }
    if (result == null) {
      System.err.println("jmh-suite: --result FILE is required");
      System.exit(2);
    }
    int warmups = quick ? 1 : 2;
    int iterations = quick ? 1 : 3;
    say(
        "jmh-suite: %d warm-up and %d measured iterations of 1 s per benchmark",
        warmups, iterations);
    List<RunResult> results = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    for (String type : FORKED) {
      run(type, settings(warmups, iterations).forks(1), results, failed);
    }
    System.setProperty(BenchServer.SHARED, "true");
    try {
      for (String type : ON_SHARED_SERVER) {
        run(type, settings(warmups, iterations).forks(0), results, failed);
      }
    } finally {
      BenchServer.closeShared();
    }
    Files.createDirectories(result.toAbsolutePath().getParent());
    ResultFormatFactory.getInstance(ResultFormatType.JSON, result.toString()).writeOut(results);
    say("jmh-suite: %d results in %s", results.size(), result);
    if (!failed.isEmpty()) {
      say("jmh-suite: failed: %s", String.join(", ", failed));
    }
    // Threads the in-process server left behind must not keep this JVM alive.
    System.exit(failed.isEmpty() ? 0 : 1);
  }

  private static ChainedOptionsBuilder settings(int warmups, int iterations) {
    return new OptionsBuilder()
        .warmupIterations(warmups)
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(iterations)
        .measurementTime(TimeValue.seconds(1))
        .shouldFailOnError(true);
  }

  /** One class per runner, so that a failure loses that class's results only. */
  private static void run(
      String type, ChainedOptionsBuilder options, List<RunResult> results, List<String> failed) {
    try {
      results.addAll(
          new Runner(
                  options
                      .include("^" + JmhSuite.class.getPackageName() + "\\." + type + "\\.")
                      .build())
              .run());
    } catch (RunnerException e) {
      failed.add(type);
      System.err.println("jmh-suite: " + type + " failed");
      e.printStackTrace();
    }
  }

  private static void say(String format, Object... args) {
    System.out.printf(Locale.ROOT, format + "%n", args);
  }
}
