package org.phylax.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.phylax.access.Permit;
import org.phylax.access.TestPermits;
import org.phylax.keys.DataKeys;
import org.phylax.keys.KeyAdministration;
import org.phylax.keys.KeyUsage;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Re-encryption after a key rotation, on a real database, while other threads keep creating,
 * updating and reading records: afterwards every stored version is under the new key, decrypts, and
 * holds exactly what was written; no version is lost or added.
 */
class ReencryptionIntegrationTests {

  @TempDir static Path dir;

  static RecordsTestServer phylax;
  static RecordStore store;
  static Reencryption reencryption;
  static KeyAdministration keys;
  static KeyUsage usage;
  static Permit system;

  @BeforeAll
  static void start() {
    phylax = RecordsTestServer.start(dir);
    store = phylax.store();
    reencryption = phylax.bean(Reencryption.class);
    keys = phylax.bean(KeyAdministration.class);
    // Other modules count their encrypted values too; this test is about the record store's.
    usage = (KeyUsage) store;
    system = phylax.system("reencrypt");
  }

  @AfterAll
  static void stop() {
    if (phylax != null) {
      phylax.close();
    }
  }

  static Patient patient(String family) {
    Patient p = new Patient();
    p.addName().setFamily(family).addGiven("Synthetic");
    return p;
  }

  static String family(StoredResource stored) {
    return ((Patient) stored.resource()).getNameFirstRep().getFamily();
  }

  @Test
  void reencryptWhenKeyRotatedUnderConcurrentWritesAndReadsThenAllVersionsMoveAndNothingIsLost()
      throws Exception {
    // What each version must hold: "id/version" -> family name.
    Map<String, String> expected = new ConcurrentHashMap<>();
    List<StoredResource> seeded = new ArrayList<>();
    List<Patient> batch = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      batch.add(patient("Seed" + i));
    }
    for (StoredResource s : store.createAll(system, batch)) {
      seeded.add(s);
      expected.put(s.id() + "/1", family(s));
    }
    for (int i = 0; i < 200; i++) {
      StoredResource s = seeded.get(i);
      Patient next = (Patient) s.resource();
      next.getNameFirstRep().setFamily("Seed" + i + "v2");
      store.update(system, s.id(), 1, next);
      expected.put(s.id() + "/2", "Seed" + i + "v2");
    }
    List<UUID> ids = new CopyOnWriteArrayList<>(seeded.stream().map(StoredResource::id).toList());
    int oldKey = phylax.bean(DataKeys.class).fieldCipher().primaryKeyId();
    assertThat(usage.valuesPerKey()).containsOnlyKeys(oldKey);

    AtomicBoolean stop = new AtomicBoolean();
    AtomicBoolean reencrypting = new AtomicBoolean();
    AtomicLong writesDuring = new AtomicLong();
    AtomicLong readsDuring = new AtomicLong();
    AtomicLong conflicts = new AtomicLong();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    List<Thread> threads = new ArrayList<>();
    threads.add(
        worker(
            "creator",
            stop,
            failures,
            n -> {
              StoredResource s = store.create(system, patient("New" + n));
              expected.put(s.id() + "/1", "New" + n);
              ids.add(s.id());
              if (reencrypting.get()) {
                writesDuring.incrementAndGet();
              }
            }));
    threads.add(
        worker(
            "updater",
            stop,
            failures,
            n -> {
              UUID id = ids.get(new Random(n).nextInt(ids.size()));
              StoredResource current = store.read(system, "Patient", id);
              Patient next = (Patient) current.resource();
              next.getNameFirstRep().setFamily("Upd" + n);
              try {
                StoredResource written = store.update(system, id, current.version(), next);
                expected.put(id + "/" + written.version(), "Upd" + n);
                if (reencrypting.get()) {
                  writesDuring.incrementAndGet();
                }
              } catch (VersionConflictException e) {
                conflicts.incrementAndGet();
              }
            }));
    threads.add(
        worker(
            "reader",
            stop,
            failures,
            n -> {
              UUID id = ids.get(new Random(-n).nextInt(ids.size()));
              StoredResource read = store.read(system, "Patient", id);
              String want = expected.get(id + "/" + read.version());
              if (want != null) { // null: its writer has not yet noted what it wrote
                assertThat(family(read)).isEqualTo(want);
              }
              if (reencrypting.get()) {
                readsDuring.incrementAndGet();
              }
            }));
    threads.forEach(Thread::start);
    Thread.sleep(300);

    String newKeyText = keys.rotate();
    int newKey = Integer.parseUnsignedInt(newKeyText);
    assertThat(newKey).isNotEqualTo(oldKey);
    assertThatThrownBy(() -> keys.retire(Integer.toUnsignedString(oldKey)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("still protects");
    Reencryption.Progress before = reencryption.progress();
    reencrypting.set(true);
    Reencryption.Progress result = reencryption.runToCompletion(system, 10);
    reencrypting.set(false);
    Thread.sleep(200);
    stop.set(true);
    for (Thread t : threads) {
      t.join(30_000);
    }

    System.out.printf(
        "Re-encryption under load: %d of %d values rewritten in batches of 10; %d writes, %d"
            + " reads, %d version conflicts while it ran%n",
        result.done(), before.remaining(), writesDuring.get(), readsDuring.get(), conflicts.get());
    assertThat(failures).isEmpty();
    assertThat(before.remaining()).isGreaterThanOrEqualTo(1000); // 600 history + 400 current rows
    assertThat(result.done()).isGreaterThan(0);
    assertThat(result.remaining()).isZero();
    assertThat(writesDuring.get()).as("writes while re-encrypting").isPositive();
    assertThat(readsDuring.get()).as("reads while re-encrypting").isPositive();
    assertThat(usage.valuesPerKey()).containsOnlyKeys(newKey);
    assertThat(reencryption.progress().remaining()).isZero();

    JdbcClient jdbc = phylax.bean(JdbcClient.class);
    List<String> stored =
        jdbc.sql("select id || '/' || version from record_resource_history where id = any(?)")
            .param(ids.toArray(UUID[]::new))
            .query(String.class)
            .list();
    assertThat(stored).containsExactlyInAnyOrderElementsOf(expected.keySet());
    for (UUID id : ids) {
      List<StoredResource> history = store.history(system, "Patient", id);
      for (StoredResource version : history) {
        assertThat(family(version)).isEqualTo(expected.get(id + "/" + version.version()));
      }
      assertThat(family(store.read(system, "Patient", id)))
          .isEqualTo(expected.get(id + "/" + history.get(0).version()));
    }

    keys.retire(Integer.toUnsignedString(oldKey));
    assertThat(keys.status().keys())
        .extracting(KeyAdministration.KeyStatus::id)
        .contains(newKeyText)
        .doesNotContain(Integer.toUnsignedString(oldKey));
    assertThat(store.read(system, "Patient", ids.get(0)).version()).isPositive();
  }

  @Test
  void reencryptWhenStoppedAfterSomeBatchesThenProgressShowsTheRestAndAnotherRunFinishes() {
    List<Patient> batch = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      batch.add(patient("Resume" + i));
    }
    store.createAll(system, batch);
    keys.rotate();
    long total = reencryption.progress().remaining();
    assertThat(total).isGreaterThanOrEqualTo(60);

    Reencryption.Progress first = reencryption.runBatch(system, 7);
    Reencryption.Progress second = reencryption.runBatch(system, 7);
    // The job is "killed" here: each batch committed on its own, so nothing is half done.
    assertThat(first.done()).isEqualTo(7);
    assertThat(second.remaining()).isEqualTo(total - 14);
    assertThat(reencryption.progress().remaining()).isEqualTo(total - 14);

    Reencryption.Progress rest = reencryption.runToCompletion(system, 25);
    assertThat(rest.done()).isEqualTo(total - 14);
    assertThat(rest.remaining()).isZero();
    assertThatThrownBy(() -> reencryption.runBatch(TestPermits.clinicianOf(UUID.randomUUID()), 5))
        .isInstanceOf(NotPermittedException.class);
  }

  interface Step {
    void run(long n) throws Exception;
  }

  private static Thread worker(
      String name, AtomicBoolean stop, List<Throwable> failures, Step step) {
    Thread thread =
        new Thread(
            () -> {
              long n = 0;
              while (!stop.get() && failures.isEmpty()) {
                try {
                  step.run(n++);
                } catch (Throwable t) {
                  failures.add(t);
                }
              }
            },
            "records-" + name);
    thread.setDaemon(true);
    return thread;
  }
}
