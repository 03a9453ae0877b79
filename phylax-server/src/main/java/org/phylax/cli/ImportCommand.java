package org.phylax.cli;

import ca.uhn.fhir.context.FhirContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.phylax.access.SystemAccess;
import org.phylax.audit.AuditLog;
import org.phylax.platform.PhylaxServer;
import org.phylax.records.RecordStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ./phylax import PATH…}: loads FHIR JSON Bundles and NDJSON files (see {@link Importer}),
 * each file in one transaction. A file that fails is reported by name and line or entry on stderr
 * and the others still load; exit 1 when any failed.
 */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description =
        "Load FHIR R4 JSON Bundles (transaction, batch, collection) and NDJSON files; re-running"
            + " creates no duplicates.")
final class ImportCommand extends ToolCommand {

  @Parameters(arity = "1..*", paramLabel = "PATH", description = "a .json Bundle or .ndjson file")
  List<Path> paths = new ArrayList<>();

  @Override
  int run(PhylaxServer phylax) {
    Importer importer =
        new Importer(
            phylax.context().getBean(RecordStore.class),
            phylax.context().getBean(SystemAccess.class).forTask("import"),
            phylax.context().getBean(AuditLog.class),
            UsersCommand.operator(),
            phylax.context().getBean(FhirContext.class));
    long start = System.nanoTime();
    Importer.Counts all = new Importer.Counts();
    int failed = 0;
    for (Path path : paths) {
      try {
        Importer.Counts counts = importer.load(path);
        all.add(counts);
        System.err.printf(
            "import: %s: %d resources (%d already stored)%n",
            path.getFileName(),
            counts.total(),
            counts.matched.values().stream().mapToInt(Integer::intValue).sum());
      } catch (Importer.FileProblem e) {
        failed++;
        System.err.println("import: failed: " + e.getMessage());
      }
    }
    long nanos = System.nanoTime() - start;
    Set<String> types = new TreeSet<>(all.created.keySet());
    types.addAll(all.matched.keySet());
    for (String type : types) {
      out.printf(
          "%-20s created %8d  matched %8d%n",
          type, all.created.getOrDefault(type, 0), all.matched.getOrDefault(type, 0));
    }
    out.printf(
        "%d files, %d failed; %d resources in %.1f s: %d resources/s%n",
        paths.size(), failed, all.total(), nanos / 1e9, Math.round(all.total() / (nanos / 1e9)));
    out.flush();
    return failed == 0 ? 0 : 1;
  }
}
