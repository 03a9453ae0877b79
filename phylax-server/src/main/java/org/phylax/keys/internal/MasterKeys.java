package org.phylax.keys.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.phylax.crypto.KeyEncryptionKey;
import org.phylax.crypto.LocalKeyEncryptionKey;
import org.phylax.keys.MasterKeyText;
import org.phylax.platform.ConfigurationProblem;
import org.phylax.platform.PhylaxSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the master key: the operator's ({@code PHYLAX_MASTER_KEY}, {@code _FILE}, or a KMS URI), or
 * in the dev profile a generated one in {@code DATA_DIR/dev-master.key}, which is announced with a
 * warning at every start because it lies next to the data it protects.
 */
final class MasterKeys {

  private static final Logger log = LoggerFactory.getLogger(MasterKeys.class);

  static final String DEV_KEY_FILE = "dev-master.key";

  private MasterKeys() {}

  /** The master key and whether it is the generated dev key. */
  record Resolved(KeyEncryptionKey key, boolean devKey) {}

  static Resolved resolve(PhylaxSettings settings) {
    Path devFile = settings.dataDir().resolve(DEV_KEY_FILE);
    if (settings.masterKey().isPresent()) {
      String value = settings.masterKey().get();
      KeyEncryptionKey key;
      try {
        key = MasterKeyText.parse(value);
      } catch (IllegalArgumentException e) {
        throw new ConfigurationProblem(PhylaxSettings.MASTER_KEY + ": " + e.getMessage());
      }
      boolean isDevKey = Files.isReadable(devFile) && value.equals(read(devFile));
      if (isDevKey && settings.profile() == PhylaxSettings.Profile.PROD) {
        throw new ConfigurationProblem(
            (settings.masterKeyFile().isPresent()
                    ? PhylaxSettings.MASTER_KEY_FILE
                    : PhylaxSettings.MASTER_KEY)
                + ": is the generated dev master key ("
                + devFile
                + "); the prod profile needs a key of its own");
      }
      return new Resolved(key, isDevKey);
    }
    if (settings.profile() == PhylaxSettings.Profile.PROD) {
      throw new ConfigurationProblem(
          PhylaxSettings.MASTER_KEY + ": the prod profile needs a master key");
    }
    if (!Files.exists(devFile)) {
      write(devFile, LocalKeyEncryptionKey.generateBase64(new SecureRandom()));
    }
    log.warn(
        "DEV MASTER KEY: the keyring is sealed with {}, which sits beside the data it protects;"
            + " fine for development, never for real patient data (set PHYLAX_MASTER_KEY and"
            + " PHYLAX_PROFILE=prod)",
        devFile);
    return new Resolved(LocalKeyEncryptionKey.fromBase64(read(devFile)), true);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path file, String base64) {
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      Files.createFile(
          tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, base64 + "\n");
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new ConfigurationProblem(
          PhylaxSettings.DATA_DIR + ": cannot write the dev master key to " + file);
    }
  }
}
