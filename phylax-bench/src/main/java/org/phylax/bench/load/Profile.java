package org.phylax.bench.load;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the server's CPU went while it was under measured load: the flight recording's execution
 * samples (taken every 10–20 ms of each running Java thread) that fall inside the measured windows,
 * sorted into parts by the code on their stacks.
 */
final class Profile {

  /** A measured period, in epoch milliseconds. */
  record Window(long startMillis, long endMillis) {
    boolean holds(Instant t) {
      long ms = t.toEpochMilli();
      return ms >= startMillis && ms <= endMillis;
    }
  }

  /** Shares (0–1) of the samples; "inclusive": a sample counts for every part on its stack. */
  record Result(
      long samples,
      double crypto,
      double audit,
      Map<String, Double> parts,
      double jvmCpu,
      double machineCpu,
      long heapUsedAfterGcMax,
      long heapUsedMax,
      long heapCommittedMax) {}

  /**
   * Field encryption and blind indexes: our cipher and index code and the libraries beneath it. The
   * audit log's own hashing and signing count as audit, not here.
   */
  static boolean crypto(String type) {
    return type.startsWith("org.phylax.crypto.")
        || type.startsWith("com.google.crypto.tink.")
        || type.startsWith("javax.crypto.")
        || type.startsWith("com.sun.crypto.")
        || type.startsWith("org.phylax.keys.");
  }

  static boolean audit(String type) {
    return type.startsWith("org.phylax.audit.");
  }

  private static final Map<String, Predicate<String>> PARTS = new LinkedHashMap<>();

  static {
    PARTS.put("audit log (org.phylax.audit)", Profile::audit);
    PARTS.put("field encryption and blind indexes", Profile::crypto);
    PARTS.put("access decision (org.phylax.access)", t -> t.startsWith("org.phylax.access."));
    PARTS.put("record store (org.phylax.records)", t -> t.startsWith("org.phylax.records."));
    PARTS.put("FHIR JSON parse/encode (HAPI parser)", t -> t.startsWith("ca.uhn.fhir.parser."));
    PARTS.put("PostgreSQL JDBC driver", t -> t.startsWith("org.postgresql."));
    PARTS.put(
        "bearer tokens (Spring Security OAuth2, Nimbus JOSE)",
        t -> t.startsWith("com.nimbusds.") || t.startsWith("org.springframework.security.oauth2."));
    PARTS.put(
        "Tomcat", t -> t.startsWith("org.apache.coyote.") || t.startsWith("org.apache.tomcat."));
  }

  private Profile() {}

  static Result of(Path recording, List<Window> windows) throws IOException {
    long samples = 0;
    long crypto = 0;
    long audit = 0;
    Map<String, Long> parts = new LinkedHashMap<>();
    PARTS.keySet().forEach(k -> parts.put(k, 0L));
    double jvm = 0;
    double machine = 0;
    long cpuEvents = 0;
    long afterGc = 0;
    long used = 0;
    long committed = 0;
    try (RecordingFile file = new RecordingFile(recording)) {
      while (file.hasMoreEvents()) {
        RecordedEvent e = file.readEvent();
        String name = e.getEventType().getName();
        boolean inside = windows.stream().anyMatch(w -> w.holds(e.getStartTime()));
        switch (name) {
          case "jdk.ExecutionSample" -> {
            if (!inside) {
              continue;
            }
            samples++;
            RecordedStackTrace stack = e.getStackTrace();
            if (stack == null) {
              continue;
            }
            boolean isAudit = false;
            boolean isCrypto = false;
            Map<String, Boolean> hit = new LinkedHashMap<>();
            for (RecordedFrame f : stack.getFrames()) {
              if (!f.isJavaFrame() || f.getMethod() == null) {
                continue;
              }
              String type = f.getMethod().getType().getName();
              isAudit |= audit(type);
              isCrypto |= crypto(type);
              PARTS.forEach(
                  (part, test) -> {
                    if (test.test(type)) {
                      hit.put(part, true);
                    }
                  });
            }
            if (isAudit) {
              audit++;
            } else if (isCrypto) {
              crypto++;
            }
            hit.keySet().forEach(k -> parts.merge(k, 1L, Long::sum));
          }
          case "jdk.CPULoad" -> {
            if (inside) {
              jvm += e.getFloat("jvmUser") + e.getFloat("jvmSystem");
              machine += e.getFloat("machineTotal");
              cpuEvents++;
            }
          }
          case "jdk.GCHeapSummary" -> {
            long heapUsed = e.getLong("heapUsed");
            used = Math.max(used, heapUsed);
            committed = Math.max(committed, e.getValue("heapSpace.committedSize"));
            if ("After GC".equals(e.getString("when"))) {
              afterGc = Math.max(afterGc, heapUsed);
            }
          }
          default -> {
            // not used
          }
        }
      }
    }
    long total = Math.max(1, samples);
    Map<String, Double> shares = new LinkedHashMap<>();
    parts.forEach((k, v) -> shares.put(k, v / (double) total));
    return new Result(
        samples,
        crypto / (double) total,
        audit / (double) total,
        shares,
        cpuEvents == 0 ? 0 : jvm / cpuEvents,
        cpuEvents == 0 ? 0 : machine / cpuEvents,
        afterGc,
        used,
        committed);
  }
}
