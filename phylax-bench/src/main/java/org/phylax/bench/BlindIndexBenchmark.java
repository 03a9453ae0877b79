package org.phylax.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.phylax.crypto.BlindIndex;
import org.phylax.crypto.Keyring;
import org.phylax.crypto.Normalizers;

/**
 * Cost of one search token: HMAC-SHA256 under the field's derived key, truncated to the default 8
 * bytes, with and without normalizing a typed name first. The per-field key is derived once in
 * setup, as a running server does on its first lookup of a field.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BlindIndexBenchmark {

  // Synthetic name with an accent and doubled space, so normalization has work to do.
  private static final String TYPED_NAME = "Quillon  Testérby-Marsh";

  private BlindIndex index;
  private String normalizedName;

  @Setup
  public void setUp() {
    index = Keyring.generate().blindIndex(BlindIndex.DEFAULT_TOKEN_BYTES);
    normalizedName = Normalizers.name(TYPED_NAME);
    index.token("name", normalizedName);
  }

  @Benchmark
  public byte[] token() {
    return index.token("name", normalizedName);
  }

  @Benchmark
  public byte[] normalizeNameThenToken() {
    return index.token("name", Normalizers.name(TYPED_NAME));
  }
}
