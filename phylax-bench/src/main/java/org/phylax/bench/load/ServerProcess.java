package org.phylax.bench.load;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Phylax as the operator runs it: {@code serve} in a JVM of its own (so that its CPU, heap and
 * resident memory are its own, apart from the load generator's), dev profile, embedded PostgreSQL
 * in a fresh data directory, with Java Flight Recorder sampling it from the start.
 */
final class ServerProcess implements AutoCloseable {

  final Path dataDir;
  final Path recording;
  final int port;
  final String heap;
  private final Process process;
  private final Path log;

  private ServerProcess(Path dataDir, Path recording, int port, String heap, Process p, Path log) {
    this.dataDir = dataDir;
    this.recording = recording;
    this.port = port;
    this.heap = heap;
    this.process = p;
    this.log = log;
  }

  static ServerProcess start(Path workDir, String heap) throws IOException, InterruptedException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path data = Files.createDirectories(workDir.resolve("data"));
    Path recording = workDir.resolve("server.jfr");
    Path log = workDir.resolve("server.log");
    List<String> command = new ArrayList<>();
    command.add(java());
    command.add("-Xmx" + heap);
    command.add(
        "-XX:StartFlightRecording=filename="
            + recording
            + ",settings=profile,dumponexit=true,name=phylax-bench");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("org.phylax.cli.PhylaxCli");
    command.add("serve");
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().keySet().removeIf(k -> k.startsWith("PHYLAX_"));
    pb.environment().putAll(env(data, port));
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    Process p = pb.start();
    ServerProcess server = new ServerProcess(data, recording, port, heap, p, log);
    server.awaitHealthy(Duration.ofMinutes(3));
    return server;
  }

  static Map<String, String> env(Path data, int port) {
    return Map.of(
        "PHYLAX_DATA_DIR",
        data.toString(),
        "PHYLAX_PORT",
        Integer.toString(port),
        "PHYLAX_PROFILE",
        "dev",
        "PHYLAX_LOG_FORMAT",
        "text");
  }

  URI base() {
    return URI.create("http://127.0.0.1:" + port);
  }

  long pid() {
    return process.pid();
  }

  /** The server's resident set size now, in bytes (Linux /proc), or -1. */
  long rssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException gone) {
      // the process has ended
    }
    return -1;
  }

  /** Runs a {@code ./phylax} tool command beside the running server; returns its output. */
  String tool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(java());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("org.phylax.cli.PhylaxCli");
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().keySet().removeIf(k -> k.startsWith("PHYLAX_"));
    pb.environment().putAll(env(dataDir, port));
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IOException("phylax " + String.join(" ", args) + " failed: " + out);
    }
    return out;
  }

  private void awaitHealthy(Duration limit) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("the server stopped at start; see " + log);
      }
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(base().resolve("/actuator/health")).build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new IOException("the server was not healthy within " + limit + "; see " + log);
  }

  /** SIGTERM, which also writes the flight recording. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      process.destroyForcibly();
    }
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
