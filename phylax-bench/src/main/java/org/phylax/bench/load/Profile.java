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

  /**
   * Shares (0–1) of the samples: crypto and audit by whole stack (a sample with the audit log
   * anywhere on its stack is the audit log's), parts by innermost frame.
   */
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

  /**
   * The parts a sample is charged to: the innermost frame (nearest the leaf) that belongs to one of
   * them decides, so each sample counts once (JDBC work done for the audit log counts as JDBC here;
   * the crypto and audit shares above are by whole stack instead).
   */
  private static final Map<String, Predicate<String>> PARTS = new LinkedHashMap<>();

  static {
    PARTS.put("field encryption and blind indexes", Profile::crypto);
    PARTS.put("audit log", Profile::audit);
    PARTS.put(
        "bearer-token checks",
        t ->
            t.startsWith("com.nimbusds.")
                || t.startsWith("org.springframework.security.oauth2.")
                || t.startsWith("org.phylax.oauth."));
    PARTS.put(
        "JSON (HAPI parser, Jackson)",
        t ->
            t.startsWith("ca.uhn.fhir.parser.")
                || t.startsWith("com.fasterxml.jackson.")
                || t.startsWith("tools.jackson.")
                || t.startsWith("com.google.gson."));
    PARTS.put(
        "PostgreSQL driver and pool",
        t -> t.startsWith("org.postgresql.") || t.startsWith("com.zaxxer.hikari."));
    PARTS.put("logging", t -> t.startsWith("ch.qos.logback.") || t.startsWith("org.slf4j."));
    PARTS.put("access decision", t -> t.startsWith("org.phylax.access."));
    PARTS.put("record store", t -> t.startsWith("org.phylax.records."));
    PARTS.put("other Phylax code", t -> t.startsWith("org.phylax."));
    PARTS.put("HAPI FHIR server", t -> t.startsWith("ca.uhn.fhir."));
    PARTS.put("Spring", t -> t.startsWith("org.springframework."));
    PARTS.put("Tomcat", t -> t.startsWith("org.apache."));
  }

  static final String OTHER = "JDK and other libraries";

  private Profile() {}

  static Result of(Path recording, List<Window> windows) throws IOException {
    long samples = 0;
    long crypto = 0;
    long audit = 0;
    Map<String, Long> parts = new LinkedHashMap<>();
    PARTS.keySet().forEach(k -> parts.put(k, 0L));
    parts.put(OTHER, 0L);
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
            String part = null;
            for (RecordedFrame f : stack.getFrames()) {
              if (!f.isJavaFrame() || f.getMethod() == null) {
                continue;
              }
              String type = f.getMethod().getType().getName();
              isAudit |= audit(type);
              isCrypto |= crypto(type);
              if (part == null) {
                for (Map.Entry<String, Predicate<String>> p : PARTS.entrySet()) {
                  if (p.getValue().test(type)) {
                    part = p.getKey();
                    break;
                  }
                }
              }
            }
            if (isAudit) {
              audit++;
            } else if (isCrypto) {
              crypto++;
            }
            parts.merge(part == null ? OTHER : part, 1L, Long::sum);
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
