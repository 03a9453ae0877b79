package org.phylax.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./phylax <args>} as a real child JVM, the way an operator runs it: same main class, same
 * classpath as the tests, its own environment and working directory, output captured to files.
 */
public final class PhylaxProcess implements AutoCloseable {

  private final Process process;
  private final Path stdout;
  private final Path stderr;

  private PhylaxProcess(Process process, Path stdout, Path stderr) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  public static PhylaxProcess start(Path workDir, Map<String, String> env, String... args) {
    return startWithInput(workDir, env, null, args);
  }

  /**
   * As {@link #start(Path, Map, String...)}, with {@code stdin} written to the process's standard
   * input, which is then closed (null: left open and empty, as for a command that reads nothing).
   */
  public static PhylaxProcess startWithInput(
      Path workDir, Map<String, String> env, String stdin, String... args) {
    try {
      Files.createDirectories(workDir);
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Xshare:auto");
      // The client compiler only: a child lives for seconds, and C2's compile threads compete
      // with its start-up on a 2-core machine (~25% of a command's wall time). Which JIT runs
      // changes no behaviour. (AppCDS would save more but cannot archive target/classes.)
      command.add("-XX:TieredStopAtLevel=1");
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add("org.phylax.cli.PhylaxCli");
      command.addAll(List.of(args));
      ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("PHYLAX_"));
      pb.environment().putAll(env);
      Path out = Files.createTempFile(workDir, "stdout", ".txt");
      Path err = Files.createTempFile(workDir, "stderr", ".txt");
      pb.redirectOutput(out.toFile()).redirectError(err.toFile());
      Process process = pb.start();
      if (stdin != null) {
        try (var in = process.getOutputStream()) {
          in.write(stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
      }
      return new PhylaxProcess(process, out, err);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits for the process to exit and returns its status; fails the test after {@code limit}. */
  public int exitStatus(Duration limit) throws InterruptedException {
    if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("phylax did not exit within " + limit + "; stderr: " + stderr());
    }
    return process.exitValue();
  }

  /** Polls {@code /actuator/health} until it answers 200 UP; returns false when the time is up. */
  public boolean awaitHealthy(int port, Duration limit) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline && process.isAlive()) {
      try {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200 && response.body().contains("\"UP\"")) {
          return true;
        }
      } catch (IOException e) {
        // not up yet
      }
      Thread.sleep(100);
    }
    return false;
  }

  /** SIGTERM, as a service manager sends it. */
  public void terminate() {
    process.destroy();
  }

  /** SIGKILL: no shutdown hook runs. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public String stdout() {
    return read(stdout);
  }

  public String stderr() {
    return read(stderr);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  /** A fresh random master key, as an operator would make one. */
  public static String newMasterKey() {
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    return java.util.Base64.getEncoder().encodeToString(key);
  }

  public static int freePort() {
    try (var socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
