package org.phylax.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.phylax.identity.AccountBootstrap;
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
    PhylaxServer server = PhylaxServer.start(settings);
    started(server, settings);
    server.awaitClose();
    return 0;
  }

  void started(PhylaxServer server, PhylaxSettings settings) {
    out.println(
        "Phylax is serving at " + server.baseUri() + " (profile " + settings.profile().key() + ")");
    server
        .context()
        .getBean(AccountBootstrap.class)
        .createAdminIfNoAccounts()
        .ifPresent(this::printInitialPassword);
  }

  /**
   * The first administrator's password, on the console only (never through the logger): the
   * operator sees it this once.
   */
  private void printInitialPassword(AccountBootstrap.InitialPassword admin) {
    String rule = "=".repeat(72);
    out.println();
    out.println(rule);
    out.println("  First start on an empty database: created the administrator account.");
    out.println();
    out.println("    username:  " + admin.username());
    out.println("    password:  " + admin.password());
    out.println();
    out.println("  It is shown this once and stored only as an Argon2id hash. Sign in, enroll");
    out.println("  an authenticator app (TOTP) as asked, and keep the recovery codes.");
    out.println(rule);
    out.println();
    out.flush();
  }
}
