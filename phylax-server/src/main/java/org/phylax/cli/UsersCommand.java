package org.phylax.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.phylax.identity.Account;
import org.phylax.identity.AccountStatus;
import org.phylax.identity.Accounts;
import org.phylax.identity.Actor;
import org.phylax.identity.NewAccount;
import org.phylax.identity.Role;
import org.phylax.platform.PhylaxServer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./phylax users …}: user accounts from the command line, against the same database as the
 * server, running or not. Each action is audited with the operator's OS account as actor (role
 * {@code operator}). Bad input (unknown role, taken username, weak password, no such user) exits 2
 * with one line and changes nothing.
 */
@Command(
    name = "users",
    mixinStandardHelpOptions = true,
    description = "Manage user accounts: add, disable, enable, unlock, mfa-reset, list, token.",
    subcommands = {
      UsersCommand.Add.class,
      UsersCommand.Disable.class,
      UsersCommand.Enable.class,
      UsersCommand.Unlock.class,
      UsersCommand.MfaReset.class,
      UsersCommand.ListUsers.class,
      UserTokenCommand.class
    })
final class UsersCommand implements Runnable {

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        new picocli.CommandLine(this), "users needs a subcommand (add, disable, enable, …)");
  }

  /** The operator at the keyboard, as the audit log names them. */
  static Actor operator() {
    String user = System.getProperty("user.name");
    return Actor.operator(user == null || user.isBlank() ? "unknown" : user);
  }

  /** A users subcommand: works with the accounts of a database-only Phylax. */
  abstract static class UsersTask extends ToolCommand {
    @Override
    int run(PhylaxServer phylax) {
      return run(phylax.context().getBean(Accounts.class));
    }

    abstract int run(Accounts accounts);
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description =
          "Create an account; the password is read from the first line of standard input.")
  static final class Add extends UsersTask {
    @Parameters(
        index = "0",
        paramLabel = "USERNAME",
        description = "3 to 64 letters, digits, . _ @ -")
    String username;

    @Option(
        names = "--role",
        required = true,
        paramLabel = "ROLE",
        description =
            "physician, nurse, front_desk, billing, compliance_officer, admin or patient; repeat for more")
    List<String> roles = new ArrayList<>();

    @ArgGroup(exclusive = true)
    Link link;

    static final class Link {
      @Option(
          names = "--practitioner",
          paramLabel = "ID",
          description = "id of the user's FHIR Practitioner (workforce)")
      String practitioner;

      @Option(
          names = "--patient",
          paramLabel = "ID",
          description = "id of the user's FHIR Patient (patient portal users)")
      String patient;
    }

    @Option(
        names = "--display-name",
        paramLabel = "NAME",
        description = "the name shown to people (stored encrypted)")
    String displayName;

    @Option(
        names = "--password-stdin",
        description = "read the password from standard input (required)")
    boolean passwordStdin;

    private Set<Role> parsedRoles;
    private UUID practitionerId;
    private UUID patientId;
    private String password;

    @Override
    public Integer call() {
      // Everything that can be checked without the database is checked before starting Phylax.
      parsedRoles = EnumSet.noneOf(Role.class);
      for (String role : roles) {
        try {
          parsedRoles.add(Role.of(role));
        } catch (IllegalArgumentException e) {
          throw new UsageProblem(e.getMessage());
        }
      }
      if (link != null) {
        practitionerId = uuid("--practitioner", link.practitioner);
        patientId = uuid("--patient", link.patient);
      }
      if (!passwordStdin) {
        throw new UsageProblem(
            "--password-stdin is required (the password is never taken on the command line)");
      }
      password = readPassword();
      return super.call();
    }

    @Override
    int run(Accounts accounts) {
      Account account =
          accounts.create(
              NewAccount.builder(username)
                  .roles(parsedRoles)
                  .practitioner(practitionerId)
                  .patient(patientId)
                  .displayName(displayName)
                  .password(password)
                  .build(),
              operator());
      out.println(
          "created "
              + account.username()
              + " ("
              + account.roleKeys()
              + ")"
              + (account.isWorkforce() ? "; enrolls TOTP at the first sign-in" : ""));
      return 0;
    }

    private static UUID uuid(String option, String value) {
      if (value == null) {
        return null;
      }
      try {
        return UUID.fromString(value.strip());
      } catch (IllegalArgumentException e) {
        throw new UsageProblem(option + ": '" + value + "' is not a resource id (a UUID)");
      }
    }

    private String readPassword() {
      try {
        BufferedReader in =
            new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
        String line = in.readLine();
        if (line == null || line.isEmpty()) {
          throw new UsageProblem("no password on standard input");
        }
        return line;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Command(
      name = "disable",
      mixinStandardHelpOptions = true,
      description = "Stop an account from signing in.")
  static final class Disable extends UsersTask {
    @Parameters(index = "0", paramLabel = "USERNAME")
    String username;

    @Option(
        names = "--reason",
        required = true,
        paramLabel = "TEXT",
        description = "why, for the audit log (no PHI)")
    String reason;

    @Override
    int run(Accounts accounts) {
      Account account = accounts.disable(username, reason, operator());
      out.println("disabled " + account.username());
      return 0;
    }
  }

  @Command(
      name = "enable",
      mixinStandardHelpOptions = true,
      description = "Let a disabled account sign in again.")
  static final class Enable extends UsersTask {
    @Parameters(index = "0", paramLabel = "USERNAME")
    String username;

    @Override
    int run(Accounts accounts) {
      Account account = accounts.enable(username, operator());
      out.println("enabled " + account.username() + " (" + account.status().key() + ")");
      return 0;
    }
  }

  @Command(
      name = "unlock",
      mixinStandardHelpOptions = true,
      description = "End a lockout now and forget the failed attempts.")
  static final class Unlock extends UsersTask {
    @Parameters(index = "0", paramLabel = "USERNAME")
    String username;

    @Override
    int run(Accounts accounts) {
      Account account = accounts.unlock(username, operator());
      out.println("unlocked " + account.username() + " (" + account.status().key() + ")");
      return 0;
    }
  }

  @Command(
      name = "mfa-reset",
      mixinStandardHelpOptions = true,
      description =
          "Remove an account's TOTP authenticator and recovery codes; workforce users enroll anew at the next sign-in.")
  static final class MfaReset extends UsersTask {
    @Parameters(index = "0", paramLabel = "USERNAME")
    String username;

    @Override
    int run(Accounts accounts) {
      Account account = accounts.resetMfa(username, operator());
      out.println("second factor reset for " + account.username());
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "List accounts: username, roles, status, second factor, kind of link (no names or record ids).")
  static final class ListUsers extends UsersTask {
    @Override
    int run(Accounts accounts) {
      List<Account> all = accounts.list();
      out.printf("%-24s %-28s %-34s %-5s %s%n", "username", "roles", "status", "mfa", "linked to");
      for (Account a : all) {
        String status =
            a.status() == AccountStatus.LOCKED
                ? "locked until " + a.lockedUntil().map(Object::toString).orElse("?")
                : a.status().key();
        String link =
            a.practitionerId().isPresent()
                ? "practitioner"
                : a.patientId().isPresent() ? "patient" : "-";
        out.printf(
            "%-24s %-28s %-34s %-5s %s%n",
            a.username(), a.roleKeys(), status, a.mfaEnrolled() ? "yes" : "no", link);
      }
      out.println(all.size() + (all.size() == 1 ? " account" : " accounts"));
      return 0;
    }
  }
}
