package org.phylax.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.phylax.crypto.FieldCipher;
import org.phylax.crypto.FieldContext;
import org.phylax.crypto.Keyring;

/**
 * Cost of protecting one 2 KB value (a clinical note's size) with {@link FieldCipher}: AES-256-GCM
 * through Tink, including the canonical associated data built on each call, as the server pays it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FieldCipherBenchmark {

  private FieldCipher cipher;
  private FieldContext context;
  private byte[] body;
  private byte[] ciphertext;

  @Setup
  public void setUp() {
    cipher = Keyring.generate().fieldCipher();
    context = FieldContext.of("Observation", "obs-31337", 4, "note");
    body = new byte[2048];
    // Fixed seed: every run encrypts the same bytes. Their content does not affect AES-GCM's speed.
    new SplittableRandom(2048).nextBytes(body);
    ciphertext = cipher.encrypt(body, context);
  }

  @Benchmark
  public byte[] encryptThenDecrypt() {
    return cipher.decrypt(cipher.encrypt(body, context), context);
  }

  @Benchmark
  public byte[] encrypt() {
    return cipher.encrypt(body, context);
  }

  @Benchmark
  public byte[] decrypt() {
    return cipher.decrypt(ciphertext, context);
  }
}
