package org.phylax.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code ./phylax <args>} run in the test's own JVM through {@link PhylaxCli#execute}: what the
 * operator would see on stdout and stderr, and the exit status, in a fraction of the time of a
 * child JVM ({@code PhylaxProcess}). Use it where the command's behaviour is under test; keep
 * {@code PhylaxProcess} where the process itself is (exit of a real JVM, the server it runs, the
 * operating system's environment as Spring reads it).
 *
 * <p>A command's log lines go to {@code System.out} as in a real process, so while the command runs
 * {@code System.out} and {@code System.err} are pointed at the same buffers as the command's own
 * streams (tests run one at a time in one JVM; a lock keeps in-process commands from overlapping).
 * Every command closes the Phylax it started (application context, embedded PostgreSQL, data
 * directory lock) before {@code execute} returns.
 *
 * @param status the exit status the process would have had
 * @param out everything written to standard output, log lines included
 * @param err everything written to standard error
 */
public record CliRun(int status, String out, String err) {

  private static final Object CONSOLE = new Object();

  /** Runs {@code args} with {@code environment} as the whole environment and nothing on stdin. */
  public static CliRun run(Map<String, String> environment, String... args) {
    return runWithInput(environment, null, args);
  }

  /**
   * As {@link #run(Map, String...)}, with {@code stdin} as the standard input (null: empty, as for
   * a command that reads nothing).
   */
  public static CliRun runWithInput(Map<String, String> environment, String stdin, String... args) {
    InputStream in =
        new ByteArrayInputStream(
            stdin == null ? new byte[0] : stdin.getBytes(StandardCharsets.UTF_8));
    ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    int status;
    synchronized (CONSOLE) {
      PrintStream systemOut = System.out;
      PrintStream systemErr = System.err;
      try (PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
          PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8)) {
        System.setOut(out);
        System.setErr(err);
        status = PhylaxCli.execute(args, Map.copyOf(environment), in, out, err);
      } finally {
        System.setOut(systemOut);
        System.setErr(systemErr);
      }
    }
    return new CliRun(
        status,
        outBytes.toString(StandardCharsets.UTF_8),
        errBytes.toString(StandardCharsets.UTF_8));
  }
}
