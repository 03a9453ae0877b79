package org.phylax.bench;

import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.phylax.audit.AuditAction;
import org.phylax.audit.AuditEvent;
import org.phylax.audit.AuditLog;
import org.phylax.platform.PhylaxServer;

/**
 * Appending one event to the real audit log (hash chain, committed to the embedded PostgreSQL
 * before {@code record} returns), as every access decision does: one thread alone, and eight at
 * once (concurrent commits share the chain's head and the disk's flushes). Run from the repository
 * root after {@code ./mvnw -q -B package -pl phylax-bench -am -DskipTests}: {@code java -cp
 * "phylax-bench/target/classes:$(cat phylax-bench/target/classpath.txt)" org.openjdk.jmh.Main
 * AuditAppend}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
public class AuditAppendBenchmark {

  private static final UUID[] PATIENTS = new UUID[1_000];

  static {
    for (int i = 0; i < PATIENTS.length; i++) {
      PATIENTS[i] = UUID.randomUUID();
    }
  }

  private BenchServer bench;
  private PhylaxServer server;
  private AuditLog log;

  @Setup
  public void start() throws IOException {
    bench = BenchServer.start("phylax-audit-bench");
    server = bench.server;
    log = server.context().getBean(AuditLog.class);
  }

  @TearDown
  public void stop() throws IOException {
    bench.close();
  }

  /** A clinician's read of one patient's observation, as the access gate writes it. */
  static AuditEvent readEvent() {
    return readEvent(PATIENTS, "Mozilla/5.0 (X11; Linux x86_64) bench");
  }

  /**
   * A clinician's read of one of {@code patients}' observations, permitted by the care-team
   * relationship; also the event of {@link AuditLoad}.
   */
  static AuditEvent readEvent(UUID[] patients, String userAgent) {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    return AuditEvent.builder(AuditAction.READ, AuditEvent.Outcome.PERMIT)
        .actor("user-" + rnd.nextInt(500), "physician", "phylax-web")
        .source(
            "10.20." + rnd.nextInt(256) + "." + rnd.nextInt(256),
            userAgent,
            new UUID(rnd.nextLong(), rnd.nextLong()).toString())
        .entity("Observation", new UUID(rnd.nextLong(), rnd.nextLong()).toString(), 1L)
        .patient(patients[rnd.nextInt(patients.length)])
        .purpose("TREAT")
        .reason("care-team: assigned physician")
        .build();
  }

  @Benchmark
  @Threads(1)
  public void appendAlone() {
    log.record(readEvent());
  }

  @Benchmark
  @Threads(8)
  public void appendEightAtOnce() {
    log.record(readEvent());
  }
}
