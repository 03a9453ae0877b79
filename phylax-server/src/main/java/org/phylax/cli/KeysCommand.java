package org.phylax.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.phylax.crypto.KeyEncryptionKey;
import org.phylax.keys.KeyAdministration;
import org.phylax.keys.MasterKeyText;
import org.phylax.platform.ConfigurationProblem;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.PhylaxSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ./phylax keys …}: the keyring's life cycle. Each subcommand works whether or not the
 * server is running (it uses the running server's embedded database, or starts it for the command).
 */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description = "Manage the keyring: init, status, rotate, reencrypt, retire, rotate-master.",
    subcommands = {
      KeysCommand.Init.class,
      KeysCommand.Status.class,
      KeysCommand.Rotate.class,
      KeysCommand.Retire.class,
      KeysCommand.RotateMaster.class
    })
final class KeysCommand implements Runnable {

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        new picocli.CommandLine(this), "keys needs a subcommand (init, status, rotate, …)");
  }

  /** Shared by the subcommands: settings as for serve, then a database-only Phylax. */
  abstract static class KeysTask implements Callable<Integer> {
    Map<String, String> environment; // set by PhylaxCli's factory
    PrintStream out;

    @Override
    public Integer call() {
      PhylaxSettings settings =
          PhylaxSettings.load(environment, Path.of(""), PhylaxSettings.Profile.PROD);
      try (PhylaxServer phylax = PhylaxServer.startTool(settings)) {
        return run(phylax.context().getBean(KeyAdministration.class), phylax);
      }
    }

    abstract int run(KeyAdministration keys, PhylaxServer phylax);
  }

  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description = "Create the keyring unless it exists.")
  static final class Init extends KeysTask {

    @Override
    int run(KeyAdministration keys, PhylaxServer phylax) {
      out.println("keyring " + keys.init());
      return 0;
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description =
          "Show the keys, the primary, when each became primary and how many values use each.")
  static final class Status extends KeysTask {

    @Override
    int run(KeyAdministration keys, PhylaxServer phylax) {
      KeyAdministration.KeyringStatus status = keys.status();
      out.println(
          "keyring     " + status.keyringId() + " (generation " + status.generation() + ")");
      out.println("created     " + status.createdAt());
      out.println(
          "master key  "
              + status.masterKeyFingerprint()
              + (status.sealedByDevKey() ? " (the generated dev key: not for real data)" : ""));
      out.printf("%-12s %-8s %-28s %s%n", "key id", "primary", "since", "values");
      for (KeyAdministration.KeyStatus key : status.keys()) {
        out.printf(
            "%-12s %-8s %-28s %d%n",
            key.id(),
            key.primary() ? "yes" : "",
            key.since() == null ? "-" : key.since().toString(),
            key.values());
      }
      return 0;
    }
  }

  @Command(
      name = "rotate",
      mixinStandardHelpOptions = true,
      description =
          "Add a new encryption key and make it primary (running servers switch within a minute).")
  static final class Rotate extends KeysTask {

    @Override
    int run(KeyAdministration keys, PhylaxServer phylax) {
      out.println("new primary key " + keys.rotate());
      out.println("values under older keys stay readable; ./phylax keys reencrypt moves them");
      return 0;
    }
  }

  @Command(
      name = "retire",
      mixinStandardHelpOptions = true,
      description = "Remove an encryption key that no stored value uses any more.")
  static final class Retire extends KeysTask {
    @Parameters(
        index = "0",
        paramLabel = "KEY_ID",
        description = "the key id, as keys status shows it")
    String keyId;

    @Override
    int run(KeyAdministration keys, PhylaxServer phylax) {
      try {
        keys.retire(keyId);
      } catch (IllegalArgumentException e) {
        throw new ConfigurationProblem("KEY_ID: " + e.getMessage());
      }
      out.println("retired key " + keyId);
      return 0;
    }
  }

  @Command(
      name = "rotate-master",
      mixinStandardHelpOptions = true,
      description =
          "Re-seal the keyring under the master key in PHYLAX_NEW_MASTER_KEY (base64 of 32 bytes, or an AWS KMS key URI).")
  static final class RotateMaster extends KeysTask {

    @Override
    public Integer call() {
      newKey(); // check the new key before starting anything
      return super.call();
    }

    @Override
    int run(KeyAdministration keys, PhylaxServer phylax) {
      KeyEncryptionKey newKey = newKey();
      keys.rotateMaster(newKey);
      out.println("keyring re-sealed under master key " + newKey.fingerprint());
      out.println("restart every Phylax node with the new key in PHYLAX_MASTER_KEY");
      return 0;
    }

    private KeyEncryptionKey newKey() {
      String value = environment.get("PHYLAX_NEW_MASTER_KEY");
      if (value == null || value.isBlank()) {
        throw new ConfigurationProblem("PHYLAX_NEW_MASTER_KEY: is required for rotate-master");
      }
      try {
        return MasterKeyText.parse(value);
      } catch (IllegalArgumentException e) {
        throw new ConfigurationProblem("PHYLAX_NEW_MASTER_KEY: " + e.getMessage());
      }
    }
  }
}
