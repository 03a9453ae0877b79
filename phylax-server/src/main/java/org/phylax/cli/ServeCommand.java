package org.phylax.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.PhylaxSettings;
import picocli.CommandLine.Command;

/** {@code ./phylax serve}: runs the server until it is stopped (SIGTERM or Ctrl-C). */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description =
        "Run the Phylax server on PHYLAX_PORT (8080), on the embedded PostgreSQL in PHYLAX_DATA_DIR/pg or the PostgreSQL at PHYLAX_DB_URL; profile prod unless PHYLAX_PROFILE=dev.")
class ServeCommand implements Callable<Integer> {

  final Map<String, String> environment;
  final PrintStream out;

  ServeCommand(Map<String, String> environment, PrintStream out) {
    this.environment = environment;
    this.out = out;
  }

  PhylaxSettings.Profile defaultProfile() {
    return PhylaxSettings.Profile.PROD;
  }

  @Override
  public Integer call() throws InterruptedException {
    PhylaxSettings settings = PhylaxSettings.load(environment, Path.of(""), defaultProfile());
    PhylaxServer server = PhylaxServer.start(settings).closeOnShutdown();
    started(server, settings);
    server.awaitClose();
    return 0;
  }

  void started(PhylaxServer server, PhylaxSettings settings) {
    out.println(
        "Phylax is serving at " + server.baseUri() + " (profile " + settings.profile().key() + ")");
  }
}
