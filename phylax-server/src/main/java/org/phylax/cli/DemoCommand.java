package org.phylax.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.phylax.access.SystemAccess;
import org.phylax.identity.Accounts;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.PhylaxSettings;
import org.phylax.records.RecordStore;
import picocli.CommandLine.Command;

/**
 * {@code ./phylax demo}: {@code serve} in the dev profile, then says where to go and how to sign in
 * (the sign-in page at {@code /login}, with a demo user). Safe to run again: it reuses the data
 * directory.
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
    List<DemoUsers.Credentials> users =
        new DemoUsers(
                server.context().getBean(Accounts.class),
                server.context().getBean(RecordStore.class),
                server.context().getBean(SystemAccess.class),
                settings.dataDir())
            .ensure();
    DemoPatients.ensure(server.context(), out)
        .ifPresent(
            made ->
                out.println(
                    "Synthesized "
                        + DemoPatients.COUNT
                        + " demo patients ("
                        + made.total()
                        + " resources, tagged HTEST)."));
    int opened = DemoSchedules.ensure(server.context());
    if (opened > 0) {
      out.println(
          "Opened "
              + opened
              + " free appointment slots for the demo physician and nurse (weekdays, the next "
              + DemoSchedules.WEEKS
              + " weeks).");
    }
    String url = server.baseUri().toString();
    out.println();
    out.println("Phylax demo is running: " + url);
    out.println("  sign in:       " + url + "login");
    out.println("  health check:  " + url + "actuator/health");
    out.println("  data:          " + settings.dataDir() + " (kept between runs)");
    out.println("  stop:          Ctrl-C; run ./phylax demo again to carry on where you left off.");
    out.println();
    out.println(
        "Demo users (synthetic; credentials kept in "
            + settings.dataDir().resolve(DemoUsers.FILE)
            + ", mode 600):");
    out.printf("  %-28s %-22s %-34s %s%n", "username", "password", "TOTP secret", "this run");
    for (DemoUsers.Credentials user : users) {
      out.printf(
          "  %-28s %-22s %-34s %s%n",
          user.username(), user.password(), user.totpSecret(), user.state());
    }
    out.println();
    out.println("Authenticator apps take the secret typed in, or these otpauth URIs:");
    for (DemoUsers.Credentials user : users) {
      out.println("  " + user.uri());
    }
    out.println();
    out.println(
        "Open "
            + url
            + "login and sign in with a demo user: its username and password, then the current"
            + " 6-digit code from an authenticator app that holds its TOTP secret (typed in, or"
            + " from the otpauth URI above).");
    out.println();
    out.flush();
  }
}
