package org.phylax.cli;

import org.phylax.audit.AuditCheckpoints;
import org.phylax.audit.AuditVerifier;
import org.phylax.platform.PhylaxServer;
import picocli.CommandLine.Command;

/** {@code ./phylax audit …}: checks on the tamper-evident audit log. */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = "Check the audit log: verify, checkpoint.",
    subcommands = {AuditCommand.Verify.class, AuditCommand.MakeCheckpoint.class})
final class AuditCommand implements Runnable {

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        new picocli.CommandLine(this), "audit needs a subcommand (verify, checkpoint)");
  }

  @Command(
      name = "checkpoint",
      mixinStandardHelpOptions = true,
      description =
          "Sign a checkpoint over the whole audit log now (and witness it if configured).")
  static final class MakeCheckpoint extends ToolCommand {
    @Override
    int run(PhylaxServer phylax) {
      var made = phylax.context().getBean(AuditCheckpoints.class).checkpointNow();
      out.println(
          made.map(m -> "checkpoint at " + m.size() + " events signed by key " + m.keyId())
              .orElse("no new events since the last checkpoint"));
      return 0;
    }
  }

  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description =
          "Recompute the audit chain; exit 0 when intact, 1 with the first broken event otherwise.")
  static final class Verify extends ToolCommand {
    @Override
    int run(PhylaxServer phylax) {
      AuditVerifier.Verification result = phylax.context().getBean(AuditVerifier.class).verify();
      out.println(result.summary());
      return result.isIntact() ? 0 : 1;
    }
  }
}
