package org.phylax.cli;

import java.util.LinkedHashSet;
import java.util.List;
import org.phylax.oauth.OAuthClients;
import org.phylax.oauth.SmartScopes;
import org.phylax.platform.PhylaxServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ./phylax clients …}: OAuth clients for backend services. */
@Command(
    name = "clients",
    mixinStandardHelpOptions = true,
    description = "Register OAuth clients for backend services: add, list.",
    subcommands = {
      ClientsCommand.Add.class,
      ClientsCommand.AddApp.class,
      ClientsCommand.ListClients.class
    })
final class ClientsCommand implements Runnable {

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        new picocli.CommandLine(this), "clients needs a subcommand (add, list)");
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description =
          "Register a client_credentials client; prints client_id=… and client_secret=… (shown"
              + " this once).")
  static final class Add extends ToolCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "A label for people.")
    String name;

    @Option(
        names = "--scope",
        required = true,
        paramLabel = "SCOPE",
        split = "\\s+",
        description =
            "SMART system scope(s), e.g. \"system/*.read\"; repeat or separate by spaces.")
    List<String> scopes;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      // Refuse bad input before starting anything.
      for (String scope : scopes) {
        if (!SmartScopes.isSystem(scope)) {
          throw new ParameterException(
              spec.commandLine(),
              "--scope: '"
                  + scope
                  + "' is not a system scope (system/<Type or *>.<read|write|*|cruds>)");
        }
      }
      if (name.isBlank() || name.length() > 100 || !name.matches("\\P{Cntrl}+")) {
        throw new ParameterException(
            spec.commandLine(), "NAME: a client name is 1 to 100 printable characters");
      }
      return super.call();
    }

    @Override
    int run(PhylaxServer phylax) {
      OAuthClients.Registered made =
          phylax
              .context()
              .getBean(OAuthClients.class)
              .addService(name, new LinkedHashSet<>(scopes), operator());
      out.println("client_id=" + made.clientId());
      out.println("client_secret=" + made.clientSecret());
      return 0;
    }
  }

  @Command(
      name = "add-app",
      mixinStandardHelpOptions = true,
      description =
          "Register an app that signs users in (authorization_code with PKCE); prints client_id=…"
              + " and, unless --public, client_secret=… (shown this once).")
  static final class AddApp extends ToolCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "A label for people.")
    String name;

    @Option(
        names = "--redirect-uri",
        required = true,
        paramLabel = "URI",
        description =
            "where the app receives the code (https://…, or http://127.0.0.1…); repeatable")
    List<String> redirectUris;

    @Option(
        names = "--scope",
        required = true,
        paramLabel = "SCOPE",
        split = "\\s+",
        description = "SMART scope(s), e.g. \"patient/*.read offline_access\"")
    List<String> scopes;

    @Option(
        names = "--public",
        description =
            "a browser or mobile app that cannot keep a secret: no secret, no refresh token")
    boolean publicApp;

    @Override
    int run(PhylaxServer phylax) {
      OAuthClients.Registered made;
      try {
        made =
            phylax
                .context()
                .getBean(OAuthClients.class)
                .addApp(
                    name,
                    new LinkedHashSet<>(redirectUris),
                    new LinkedHashSet<>(scopes),
                    !publicApp,
                    operator());
      } catch (IllegalArgumentException e) {
        throw new UsageProblem(e.getMessage());
      }
      out.println("client_id=" + made.clientId());
      if (made.clientSecret() != null) {
        out.println("client_secret=" + made.clientSecret());
      }
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List registered clients.")
  static final class ListClients extends ToolCommand {
    @Override
    int run(PhylaxServer phylax) {
      for (OAuthClients.Client c : phylax.context().getBean(OAuthClients.class).list()) {
        out.println(
            c.clientId()
                + "  "
                + String.join(",", c.grantTypes())
                + "  "
                + String.join(" ", c.scopes())
                + "  "
                + c.name());
      }
      return 0;
    }
  }

  static String operator() {
    return "os:" + System.getProperty("user.name", "unknown");
  }
}
