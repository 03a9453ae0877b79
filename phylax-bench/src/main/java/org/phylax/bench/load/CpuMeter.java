package org.phylax.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of the processes in a run, from Linux's /proc: the server's JVM, the PostgreSQL
 * processes it started (its descendants), and this load generator, so that the report can say which
 * of them used the machine.
 */
final class CpuMeter {

  /** Clock ticks a second of /proc/[pid]/stat's times (USER_HZ, 100 on Linux). */
  private static final double TICKS = 100.0;

  /** Seconds of CPU used so far: server JVM, PostgreSQL, load generator. */
  record Sample(double server, double postgres, double generator) {
    Sample minus(Sample earlier) {
      return new Sample(
          server - earlier.server, postgres - earlier.postgres, generator - earlier.generator);
    }

    Sample plus(Sample other) {
      return new Sample(
          server + other.server, postgres + other.postgres, generator + other.generator);
    }
  }

  private final long serverPid;

  CpuMeter(long serverPid) {
    this.serverPid = serverPid;
  }

  Sample sample() {
    double postgres =
        ProcessHandle.of(serverPid)
            .map(h -> h.descendants().mapToDouble(d -> seconds(d.pid())).sum())
            .orElse(0.0);
    return new Sample(seconds(serverPid), postgres, seconds(ProcessHandle.current().pid()));
  }

  /** utime + stime of one process, in seconds; 0 when it is gone or not on Linux. */
  static double seconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // the command name (field 2) is in parentheses and may hold spaces
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS;
    } catch (IOException | RuntimeException gone) {
      return 0;
    }
  }
}
