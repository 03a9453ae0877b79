package org.phylax.keys.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.phylax.crypto.BlindIndex;
import org.phylax.crypto.FieldCipher;
import org.phylax.crypto.IntegrityException;
import org.phylax.crypto.KeyEncryptionKey;
import org.phylax.crypto.Keyring;
import org.phylax.keys.DataKeys;
import org.phylax.keys.KeyAdministration;
import org.phylax.keys.KeyUsage;
import org.phylax.platform.ConfigurationProblem;
import org.phylax.platform.PhylaxSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The keyring in PostgreSQL (table {@code keyring}, one row, each keyset sealed by the master key).
 * Created at the first start if missing, opened at every start — a master key that does not open it
 * stops Phylax with one line — and reloaded when another node or the CLI changes it.
 */
@Component
class JdbcKeyring implements DataKeys, KeyAdministration {

  private static final Logger log = LoggerFactory.getLogger(JdbcKeyring.class);

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final PhylaxSettings settings;
  private final ObjectProvider<KeyUsage> usages;
  private final int tokenBytes;
  private final KeyEncryptionKey kek;
  private final boolean devKey;
  private volatile Loaded current;

  JdbcKeyring(
      JdbcClient jdbc,
      TransactionTemplate tx,
      PhylaxSettings settings,
      ObjectProvider<KeyUsage> usages,
      @Value("${phylax.blind-index.token-bytes:8}") int tokenBytes) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.settings = settings;
    this.usages = usages;
    this.tokenBytes = tokenBytes;
    MasterKeys.Resolved resolved = MasterKeys.resolve(settings);
    this.kek = resolved.key();
    this.devKey = resolved.devKey();
    init();
    this.current = load();
    log.info(
        "Keyring {} open (generation {}, primary encryption key {}, master key {})",
        current.id,
        current.generation,
        Integer.toUnsignedString(current.cipher.primaryKeyId()),
        kek.fingerprint());
  }

  private record Row(
      String id,
      long generation,
      boolean sealedByDevKey,
      Keyring.Sealed sealed,
      Instant createdAt,
      String kekFingerprint) {}

  private record Loaded(
      String id, long generation, Keyring keyring, FieldCipher cipher, BlindIndex blindIndex) {}

  @Override
  public FieldCipher fieldCipher() {
    return current.cipher;
  }

  @Override
  public BlindIndex blindIndex() {
    return current.blindIndex;
  }

  @Override
  public com.google.crypto.tink.PublicKeySign auditSigner() {
    return current.keyring.auditSigner();
  }

  @Override
  public com.google.crypto.tink.PublicKeyVerify auditVerifier() {
    return current.keyring.auditVerifier();
  }

  @Override
  public String auditKeyId() {
    return current.keyring.auditKeyId();
  }

  @Override
  public String keyringId() {
    return current.id;
  }

  @Override
  public String init() {
    Optional<Row> existing = row(false);
    if (existing.isPresent()) {
      return existing.get().id;
    }
    String id = UUID.randomUUID().toString();
    Keyring.Sealed sealed = Keyring.generate().seal(kek, id);
    int inserted =
        jdbc.sql(
                """
                insert into keyring (id, generation, kek_fingerprint, sealed_by_dev_key,
                    encryption_keyset, blind_index_keyset, audit_keyset)
                select :id, 1, :kek, :dev, :enc, :bix, :aud
                where not exists (select 1 from keyring)
                """)
            .param("id", UUID.fromString(id))
            .param("kek", kek.fingerprint())
            .param("dev", devKey)
            .param("enc", sealed.encryption())
            .param("bix", sealed.blindIndex())
            .param("aud", sealed.audit())
            .update();
    if (inserted == 1) {
      Keyring opened = Keyring.open(sealed, kek, id);
      event("init", opened.encryptionKeys().get(0).id(), "keyring " + id);
      log.info("Created keyring {}", id);
      return id;
    }
    return row(false).orElseThrow().id; // another node created it first
  }

  @Override
  public KeyringStatus status() {
    Row row = row(false).orElseThrow();
    Keyring keyring = open(row);
    Map<Integer, Long> counts = valuesPerKey();
    Map<Long, Instant> since = new HashMap<>();
    jdbc.sql(
            "select key_id, max(at) as at from keyring_event where action in ('init','rotate')"
                + " group by key_id")
        .query((rs, n) -> since.put(rs.getLong("key_id"), rs.getTimestamp("at").toInstant()))
        .list();
    List<KeyStatus> keys = new ArrayList<>();
    for (Keyring.KeyInfo key : keyring.encryptionKeys()) {
      keys.add(
          new KeyStatus(
              key.displayId(),
              key.primary(),
              since.get(Integer.toUnsignedLong(key.id())),
              counts.getOrDefault(key.id(), 0L)));
    }
    return new KeyringStatus(
        row.id, row.generation, row.kekFingerprint, row.sealedByDevKey, row.createdAt, keys);
  }

  @Override
  public String rotate() {
    String id =
        tx.execute(
            status -> {
              Row row = row(true).orElseThrow();
              Keyring rotated = open(row).rotateEncryptionKey();
              save(row, rotated, kek, devKey);
              int primary = rotated.encryptionKeys().get(0).id();
              event("rotate", primary, null);
              return Integer.toUnsignedString(primary);
            });
    refresh();
    log.info("Rotated the encryption key: new primary {}", id);
    return id;
  }

  @Override
  public void retire(String keyId) {
    int id;
    try {
      id = Integer.parseUnsignedInt(keyId.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + keyId + "' is not a key id");
    }
    tx.executeWithoutResult(
        status -> {
          Row row = row(true).orElseThrow();
          Keyring keyring = open(row);
          if (keyring.encryptionKeys().stream().noneMatch(k -> k.id() == id)) {
            throw new IllegalArgumentException("key " + keyId + " is not in the keyring");
          }
          long inUse = valuesPerKey().getOrDefault(id, 0L);
          if (inUse > 0) {
            throw new IllegalArgumentException(
                "key "
                    + keyId
                    + " still protects "
                    + inUse
                    + " values; run ./phylax keys reencrypt first");
          }
          Keyring retired;
          try {
            retired = keyring.retireEncryptionKey(id);
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key " + keyId + ": " + e.getMessage());
          }
          save(row, retired, kek, devKey);
          event("retire", id, null);
        });
    refresh();
    log.info("Retired encryption key {}", keyId);
  }

  @Override
  public void rotateMaster(KeyEncryptionKey newKey) {
    tx.executeWithoutResult(
        status -> {
          Row row = row(true).orElseThrow();
          save(row, open(row), newKey, false);
          event("rotate-master", null, kek.fingerprint() + " -> " + newKey.fingerprint());
        });
    log.info("Re-sealed keyring under master key {}", newKey.fingerprint());
  }

  /** Picks up changes made by other nodes or the CLI. */
  @Scheduled(
      fixedDelayString = "${phylax.keys.refresh-interval:30s}",
      initialDelayString = "${phylax.keys.refresh-interval:30s}")
  void refresh() {
    Long generation =
        jdbc.sql("select generation from keyring").query(Long.class).optional().orElse(null);
    if (generation == null || generation == current.generation) {
      return;
    }
    try {
      current = load();
      log.info(
          "Keyring {} reloaded at generation {}: primary encryption key {}",
          current.id,
          current.generation,
          Integer.toUnsignedString(current.cipher.primaryKeyId()));
    } catch (ConfigurationProblem e) {
      log.warn(
          "Keyring {} changed but this node's master key no longer opens it (was the master key"
              + " rotated?); keeping the keys loaded at generation {}; restart with the new key",
          current.id,
          current.generation);
    }
  }

  private Loaded load() {
    Row row = row(false).orElseThrow();
    if (row.sealedByDevKey && settings.profile() == PhylaxSettings.Profile.PROD) {
      throw new ConfigurationProblem(
          PhylaxSettings.MASTER_KEY
              + ": keyring "
              + row.id
              + " is sealed with the generated dev master key; re-seal it with ./phylax keys"
              + " rotate-master (PHYLAX_NEW_MASTER_KEY) before using the prod profile");
    }
    Keyring keyring = open(row);
    return new Loaded(
        row.id, row.generation, keyring, keyring.fieldCipher(), keyring.blindIndex(tokenBytes));
  }

  private Keyring open(Row row) {
    try {
      return Keyring.open(row.sealed, kek, row.id);
    } catch (IntegrityException e) {
      throw new ConfigurationProblem(
          (settings.masterKeyFile().isPresent()
                  ? PhylaxSettings.MASTER_KEY_FILE
                  : PhylaxSettings.MASTER_KEY)
              + ": "
              + e.getMessage());
    }
  }

  private void save(Row row, Keyring keyring, KeyEncryptionKey key, boolean dev) {
    Keyring.Sealed sealed = keyring.seal(key, row.id);
    jdbc.sql(
            """
            update keyring set generation = generation + 1, kek_fingerprint = :kek,
                sealed_by_dev_key = :dev, encryption_keyset = :enc, blind_index_keyset = :bix,
                audit_keyset = :aud, updated_at = now()
            where id = :id
            """)
        .param("kek", key.fingerprint())
        .param("dev", dev)
        .param("enc", sealed.encryption())
        .param("bix", sealed.blindIndex())
        .param("aud", sealed.audit())
        .param("id", UUID.fromString(row.id))
        .update();
  }

  private Optional<Row> row(boolean forUpdate) {
    return jdbc.sql("select * from keyring" + (forUpdate ? " for update" : ""))
        .query(
            (rs, n) ->
                new Row(
                    rs.getString("id"),
                    rs.getLong("generation"),
                    rs.getBoolean("sealed_by_dev_key"),
                    new Keyring.Sealed(
                        rs.getBytes("encryption_keyset"),
                        rs.getBytes("blind_index_keyset"),
                        rs.getBytes("audit_keyset")),
                    rs.getTimestamp("created_at").toInstant(),
                    rs.getString("kek_fingerprint")))
        .optional();
  }

  private Map<Integer, Long> valuesPerKey() {
    Map<Integer, Long> total = new HashMap<>();
    usages
        .orderedStream()
        .forEach(usage -> usage.valuesPerKey().forEach((k, v) -> total.merge(k, v, Long::sum)));
    return total;
  }

  private void event(String action, Integer keyId, String detail) {
    jdbc.sql("insert into keyring_event (action, key_id, detail) values (?, ?, ?)")
        .params(action, keyId == null ? null : Integer.toUnsignedLong(keyId), detail)
        .update();
  }

  @Override
  public String toString() {
    return "JdbcKeyring[" + (current == null ? "unopened" : current.id) + "]";
  }
}
