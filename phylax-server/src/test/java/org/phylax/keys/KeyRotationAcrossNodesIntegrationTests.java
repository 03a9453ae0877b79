package org.phylax.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.crypto.FieldCipher;
import org.phylax.crypto.FieldContext;
import org.phylax.platform.PhylaxProcess;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.PhylaxSettings;
import org.phylax.platform.internal.EmbeddedPostgres;

/** Two Phylax nodes on one database: a rotation made on one reaches the other by itself. */
class KeyRotationAcrossNodesIntegrationTests {

  @TempDir Path dir;

  @Test
  void rotateWhenMadeOnOneNodeThenTheOtherEncryptsUnderTheNewKeyWithinItsRefreshInterval()
      throws Exception {
    String masterKey = PhylaxProcess.newMasterKey();
    System.setProperty("phylax.keys.refresh-interval", "1s");
    try (EmbeddedPostgres db = EmbeddedPostgres.start(dir.resolve("db"), "nobody");
        PhylaxServer a = PhylaxServer.start(settings(db, "a", masterKey));
        PhylaxServer b = PhylaxServer.start(settings(db, "b", masterKey))) {
      DataKeys keysA = a.context().getBean(DataKeys.class);
      DataKeys keysB = b.context().getBean(DataKeys.class);
      assertThat(keysB.fieldCipher().primaryKeyId()).isEqualTo(keysA.fieldCipher().primaryKeyId());
      FieldContext place = FieldContext.of("Patient", "p-1", 1, "body");
      byte[] before = keysB.fieldCipher().encrypt(bytes("synthetic"), place);

      String newPrimary = a.context().getBean(KeyAdministration.class).rotate();

      long deadline = System.nanoTime() + 10_000_000_000L;
      while (keysB.fieldCipher().primaryKeyId() != Integer.parseUnsignedInt(newPrimary)
          && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      FieldCipher cipherB = keysB.fieldCipher();
      byte[] after = cipherB.encrypt(bytes("synthetic"), place);
      assertThat(Integer.toUnsignedString(FieldCipher.keyIdOf(after))).isEqualTo(newPrimary);
      assertThat(FieldCipher.keyIdOf(before)).isNotEqualTo(FieldCipher.keyIdOf(after));
      assertThat(keysA.fieldCipher().decrypt(after, place)).isEqualTo(bytes("synthetic"));
      assertThat(cipherB.decrypt(before, place)).isEqualTo(bytes("synthetic"));
    } finally {
      System.clearProperty("phylax.keys.refresh-interval");
    }
  }

  private PhylaxSettings settings(EmbeddedPostgres db, String node, String masterKey) {
    return PhylaxSettings.of(
        Map.of(
            "PHYLAX_DATA_DIR", dir.resolve(node).toString(),
            "PHYLAX_PORT", Integer.toString(PhylaxProcess.freePort()),
            "PHYLAX_DB_URL", db.jdbcUrl(),
            "PHYLAX_DB_USER", db.user(),
            "PHYLAX_DB_PASSWORD", db.password(),
            "PHYLAX_MASTER_KEY", masterKey),
        PhylaxSettings.Profile.PROD);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
