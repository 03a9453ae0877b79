package org.phylax.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.phylax.audit.AuditVerifier;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.PhylaxSettings;
import picocli.CommandLine.Command;

/** {@code ./phylax audit …}: checks on the tamper-evident audit log. */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = "Check the audit log: verify.",
    subcommands = {AuditCommand.Verify.class})
final class AuditCommand implements Runnable {

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        new picocli.CommandLine(this), "audit needs a subcommand (verify)");
  }

  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description =
          "Recompute the audit chain; exit 0 when intact, 1 with the first broken event otherwise.")
  static final class Verify implements Callable<Integer> {
    Map<String, String> environment; // set by PhylaxCli's factory
    PrintStream out;

    @Override
    public Integer call() {
      PhylaxSettings settings =
          PhylaxSettings.load(environment, Path.of(""), PhylaxSettings.Profile.PROD);
      try (PhylaxServer phylax = PhylaxServer.startTool(settings)) {
        AuditVerifier.Verification result = phylax.context().getBean(AuditVerifier.class).verify();
        out.println(result.summary());
        return result.isIntact() ? 0 : 1;
      }
    }
  }
}
