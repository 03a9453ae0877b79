package org.phylax.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;
import org.phylax.identity.AccountException;
import org.phylax.platform.ConfigurationProblem;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code ./phylax}: the operator's command line. Each command exits 0 on success, 1 when what it
 * checks does not hold or it fails, 2 on bad usage or configuration, with one line on stderr.
 */
@Command(
    name = "phylax",
    mixinStandardHelpOptions = true,
    versionProvider = PhylaxCli.Version.class,
    description =
        "Patient records, scheduling and telemedicine with the HIPAA safeguards built in.",
    commandListHeading = "%nCommands:%n",
    subcommands = {
      ServeCommand.class,
      DemoCommand.class,
      KeysCommand.class,
      AuditCommand.class,
      UsersCommand.class,
      ClientsCommand.class,
      SynthCommand.class,
      ImportCommand.class
    },
    footer = {
      "",
      "Configuration comes from PHYLAX_* environment variables (or application.yml); see README.md."
    })
public final class PhylaxCli implements Runnable {

  /** Exit status for bad usage or configuration. */
  public static final int USAGE = 2;

  @Spec CommandSpec spec;

  private PhylaxCli() {}

  /** The entry point of {@code ./phylax}: runs one command and exits with its status. */
  public static void main(String[] args) {
    System.exit(execute(args, System.getenv(), System.out, System.err));
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  /** Runs {@code args} and returns the exit status; never throws, never prints a stack trace. */
  public static int execute(
      String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
    return execute(args, environment, System.in, out, err);
  }

  /**
   * As {@link #execute(String[], Map, PrintStream, PrintStream)}, with {@code in} as the standard
   * input that commands read ({@code users add --password-stdin}). It is a parameter rather than
   * {@code System.in} so that tests can run commands in their own JVM without swapping a global.
   */
  public static int execute(
      String[] args,
      Map<String, String> environment,
      InputStream in,
      PrintStream out,
      PrintStream err) {
    CommandLine cli = new CommandLine(new PhylaxCli(), new Factory(environment, in, out));
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setParameterExceptionHandler(
        (ex, ignored) -> {
          err.println("phylax: " + describe(ex) + " (see ./phylax --help)");
          return USAGE;
        });
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          if (ex instanceof ConfigurationProblem problem) {
            err.println("phylax: invalid configuration: " + problem.getMessage());
            return USAGE;
          }
          if (ex instanceof UsageProblem || ex instanceof AccountException) {
            err.println("phylax: " + commandPath(commandLine) + ": " + oneLine(ex));
            return USAGE;
          }
          err.println("phylax: " + commandLine.getCommandName() + " failed: " + oneLine(ex));
          return 1;
        });
    return cli.execute(args);
  }

  private static String describe(CommandLine.ParameterException ex) {
    if (ex instanceof CommandLine.UnmatchedArgumentException unmatched
        && !unmatched.getUnmatched().isEmpty()) {
      String first = unmatched.getUnmatched().get(0);
      boolean topLevel = unmatched.getCommandLine().getParent() == null;
      if (topLevel && !first.startsWith("-")) {
        return "unknown command '" + first + "'";
      }
      return "unknown option or argument '" + first + "'";
    }
    return oneLine(ex);
  }

  /** {@code users add}: the command's name under {@code phylax}. */
  private static String commandPath(CommandLine command) {
    String path = command.getCommandName();
    for (CommandLine c = command.getParent();
        c != null && c.getParent() != null;
        c = c.getParent()) {
      path = c.getCommandName() + " " + path;
    }
    return path;
  }

  static String oneLine(Throwable t) {
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return message.lines().findFirst().orElse("").strip();
  }

  /** Gives commands the environment, input and output streams they should use. */
  private record Factory(Map<String, String> environment, InputStream in, PrintStream out)
      implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> cls) throws Exception {
      if (cls == ServeCommand.class) {
        return cls.cast(new ServeCommand(environment, out));
      }
      if (cls == DemoCommand.class) {
        return cls.cast(new DemoCommand(environment, out));
      }
      if (ToolCommand.class.isAssignableFrom(cls)) {
        ToolCommand command = (ToolCommand) cls.getDeclaredConstructor().newInstance();
        command.environment = environment;
        command.stdin = in;
        command.out = out;
        return cls.cast(command);
      }
      return CommandLine.defaultFactory().create(cls);
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = PhylaxCli.class.getPackage().getImplementationVersion();
      return new String[] {"phylax " + (version == null ? "(development build)" : version)};
    }
  }
}
