package org.phylax.cli;

import org.phylax.access.Permit;
import org.phylax.access.SystemAccess;
import org.phylax.crypto.KeyEncryptionKey;
import org.phylax.identity.AccountSecrets;
import org.phylax.keys.KeyAdministration;
import org.phylax.keys.MasterKeyText;
import org.phylax.keys.SealedValues;
import org.phylax.platform.ConfigurationProblem;
import org.phylax.platform.PhylaxServer;
import org.phylax.records.Reencryption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
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
      KeysCommand.Reencrypt.class,
      KeysCommand.Retire.class,
      KeysCommand.RotateMaster.class
    })
final class KeysCommand implements Runnable {

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        new picocli.CommandLine(this), "keys needs a subcommand (init, status, rotate, …)");
  }

  /** A keys subcommand: works with the key administration of a database-only Phylax. */
  abstract static class KeysTask extends ToolCommand {
    @Override
    int run(PhylaxServer phylax) {
      return run(phylax.context().getBean(KeyAdministration.class), phylax);
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
      name = "reencrypt",
      mixinStandardHelpOptions = true,
      description =
          "Rewrite every stored value not under the primary key, in batches; safe while the server runs, and resumable.")
  static final class Reencrypt extends KeysTask {
    @Option(
        names = "--batch-size",
        defaultValue = "500",
        description = "values per transaction (default ${DEFAULT-VALUE})")
    int batchSize;

    @Override
    int run(KeyAdministration keys, PhylaxServer phylax) {
      if (batchSize < 1 || batchSize > 100_000) {
        throw new ConfigurationProblem("--batch-size: must be between 1 and 100000");
      }
      Reencryption reencryption = phylax.context().getBean(Reencryption.class);
      Permit permit = phylax.context().getBean(SystemAccess.class).forTask("reencrypt");
      long total = reencryption.progress().remaining();
      out.println(total + " values under older keys");
      long done = 0;
      long idleSince = System.nanoTime();
      while (true) {
        Reencryption.Progress step = reencryption.runBatch(permit, batchSize);
        done += step.done();
        if (step.done() > 0) {
          idleSince = System.nanoTime();
          out.printf(
              "re-encrypted %d of %d (%d%%)%n",
              done, Math.max(total, done), total == 0 ? 100 : Math.min(100, done * 100 / total));
        }
        if (step.remaining() == 0) {
          break;
        }
        if (step.done() == 0) {
          // What remains is locked by another re-encryption or by writers: wait for it a while.
          if (System.nanoTime() - idleSince > 60_000_000_000L) {
            out.println(step.remaining() + " values stayed locked for a minute; run again later");
            return 1;
          }
          sleep();
        }
      }
      AccountSecrets accounts = phylax.context().getBean(AccountSecrets.class);
      long accountValues = accounts.remaining();
      if (accountValues > 0) {
        out.println(
            accountValues + " account values (display names, TOTP secrets) under older keys");
        out.println("re-encrypted " + accounts.reencrypt() + " account values");
      }
      for (SealedValues sealed : phylax.context().getBeansOfType(SealedValues.class).values()) {
        long waiting = sealed.remaining();
        if (waiting > 0) {
          out.println(waiting + " " + sealed.description() + " under older keys");
          out.println("re-encrypted " + sealed.reencrypt() + " " + sealed.description());
        }
      }
      out.println("done: every value is under primary key " + keys.status().keys().get(0).id());
      return 0;
    }

    private static void sleep() {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted");
      }
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
