package org.phylax.bench.load;

import java.io.IOException;
import java.nio.file.DirectoryStream;
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

  /**
   * CPU seconds used so far by the server JVM's JIT compiler threads (HotSpot's "C1 CompilerThread"
   * and "C2 CompilerThread", whose names Linux cuts to 15 characters); 0 when not on Linux.
   */
  double compilerSeconds() {
    double sum = 0;
    try (DirectoryStream<Path> tasks =
        Files.newDirectoryStream(Path.of("/proc", Long.toString(serverPid), "task"))) {
      for (Path task : tasks) {
        try {
          String name = Files.readString(task.resolve("comm"));
          if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
            sum += seconds(task.resolve("stat"));
          }
        } catch (IOException threadGone) {
          // a compiler thread that ended between the listing and the read used no more CPU
        }
      }
    } catch (IOException | RuntimeException gone) {
      return sum;
    }
    return sum;
  }

  /** utime + stime of one process, in seconds; 0 when it is gone or not on Linux. */
  static double seconds(long pid) {
    return seconds(Path.of("/proc", Long.toString(pid), "stat"));
  }

  /** utime + stime from a /proc stat file (a process's or a thread's), in seconds; 0 if gone. */
  private static double seconds(Path statFile) {
    try {
      String stat = Files.readString(statFile);
      // the command name (field 2) is in parentheses and may hold spaces
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS;
    } catch (IOException | RuntimeException gone) {
      return 0;
    }
  }
}
