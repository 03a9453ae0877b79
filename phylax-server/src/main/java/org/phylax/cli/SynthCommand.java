package org.phylax.cli;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Map;
import org.phylax.access.SystemAccess;
import org.phylax.audit.AuditLog;
import org.phylax.platform.PhylaxServer;
import org.phylax.records.RecordStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./phylax synth --patients N [--seed S]}: stores synthetic records (see {@link
 * Synthesizer}), with a progress line per batch on stderr and the counts per type and the rate on
 * stdout.
 */
@Command(
    name = "synth",
    mixinStandardHelpOptions = true,
    description =
        "Store synthetic patients with encounters, vital signs, conditions, medications,"
            + " immunizations, appointments and care teams (tagged HTEST); same seed, same content.")
final class SynthCommand extends ToolCommand {

  @Option(
      names = "--patients",
      required = true,
      paramLabel = "N",
      description = "how many patients (1 to 1000000)")
  int patients;

  @Option(
      names = "--seed",
      paramLabel = "S",
      description = "seed of every random choice (default 1)")
  long seed = 1;

  @Option(
      names = "--as-of",
      paramLabel = "YYYY-MM-DD",
      description = "the day dates are counted from (default today, UTC)")
  String asOf;

  @Option(
      names = "--writers",
      paramLabel = "N",
      description =
          "threads that store batches while the next ones are made (1 to "
              + Synthesizer.MAX_WRITERS
              + "; default one per processor, at most 8); the content does not depend on it")
  Integer writers;

  private LocalDate day;

  @Override
  public Integer call() {
    if (patients < 1 || patients > 1_000_000) {
      throw new UsageProblem("--patients must be between 1 and 1000000");
    }
    if (writers != null && (writers < 1 || writers > Synthesizer.MAX_WRITERS)) {
      throw new UsageProblem("--writers must be between 1 and " + Synthesizer.MAX_WRITERS);
    }
    try {
      day = asOf == null ? LocalDate.now(java.time.ZoneOffset.UTC) : LocalDate.parse(asOf);
    } catch (DateTimeParseException e) {
      throw new UsageProblem("--as-of must be a date like 2025-01-31");
    }
    return super.call();
  }

  @Override
  int run(PhylaxServer phylax) {
    Synthesizer.Result result =
        new Synthesizer(
                phylax.context().getBean(RecordStore.class),
                phylax.context().getBean(SystemAccess.class).forTask("synth"),
                phylax.context().getBean(AuditLog.class),
                UsersCommand.operator(),
                System.err)
            .run(
                new Synthesizer.Options(
                    patients,
                    seed,
                    day,
                    null,
                    null,
                    writers == null ? Synthesizer.defaultWriters() : writers));
    print(result, out);
    return 0;
  }

  /** The counts per type, the total and the rate, one per line. */
  static void print(Synthesizer.Result result, java.io.PrintStream out) {
    for (Map.Entry<String, Integer> e : result.counts().entrySet()) {
      out.printf("%-20s %8d%n", e.getKey(), e.getValue());
    }
    out.printf("%-20s %8d%n", "total", result.total());
    out.printf(
        "%d resources in %.1f s: %d resources/s%n",
        result.total(), result.nanos() / 1e9, result.perSecond());
    out.flush();
  }
}
