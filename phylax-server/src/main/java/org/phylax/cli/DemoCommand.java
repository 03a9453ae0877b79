package org.phylax.cli;

import java.io.PrintStream;
import java.util.Map;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.PhylaxSettings;
import picocli.CommandLine.Command;

/**
 * {@code ./phylax demo}: {@code serve} in the dev profile, then says where to go and how to sign
 * in. Safe to run again: it reuses the data directory.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Run Phylax for a first look: dev profile, embedded PostgreSQL in PHYLAX_DATA_DIR (./phylax-data), and how to sign in.")
final class DemoCommand extends ServeCommand {

  DemoCommand(Map<String, String> environment, PrintStream out) {
    super(environment, out);
  }

  @Override
  PhylaxSettings.Profile defaultProfile() {
    return PhylaxSettings.Profile.DEV;
  }

  @Override
  void started(PhylaxServer server, PhylaxSettings settings) {
    String url = server.baseUri().toString();
    out.println();
    out.println("Phylax demo is running: " + url);
    out.println("  health check:  " + url + "actuator/health");
    out.println(
        "  sign-in:       not available yet: user accounts and the web pages arrive with the");
    out.println(
        "                 identity feature, so there are no demo users or patients so far.");
    out.println("  data:          " + settings.dataDir() + " (kept between runs)");
    out.println("  stop:          Ctrl-C; run ./phylax demo again to carry on where you left off.");
    out.println();
  }
}
