package org.phylax.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.PhylaxSettings;

/**
 * The real server for an in-process benchmark: dev profile, embedded PostgreSQL in a fresh
 * temporary directory, a free port, scheduled audit checkpoints held off; closing it stops the
 * server and removes the directory.
 *
 * <p>With the system property {@value #SHARED} set to {@code true} (the one-command run, {@link
 * JmhSuite}, which runs these benchmarks without forking), every benchmark in the JVM gets the same
 * server, {@link #close()} leaves it running and {@link #closeShared()} stops it at the end: a
 * start costs 15–60 s on two cores, far more than the few seconds each benchmark is measured.
 */
final class BenchServer implements AutoCloseable {

  static final String SHARED = "phylax.bench.shared-server";

  private static BenchServer shared;

  final PhylaxServer server;
  private final Path dir;
  private final Map<Class<?>, Object> fixtures = new ConcurrentHashMap<>();

  private BenchServer(PhylaxServer server, Path dir) {
    this.server = server;
    this.dir = dir;
  }

  static synchronized BenchServer start(String name) throws IOException {
    if (!Boolean.getBoolean(SHARED)) {
      return launch(name);
    }
    if (shared == null) {
      shared = launch("phylax-bench-shared");
    }
    return shared;
  }

  private static BenchServer launch(String name) throws IOException {
    System.setProperty("phylax.audit.checkpoint-poll", "1h");
    Path dir = Files.createTempDirectory(name);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    PhylaxServer server =
        PhylaxServer.start(
            PhylaxSettings.of(
                Map.of(
                    "PHYLAX_DATA_DIR", dir.resolve("data").toString(),
                    "PHYLAX_PORT", Integer.toString(port)),
                PhylaxSettings.Profile.DEV));
    return new BenchServer(server, dir);
  }

  <T> T bean(Class<T> type) {
    return server.context().getBean(type);
  }

  /**
   * The data a benchmark class sets up, made once per server: on a shared server the benchmark
   * methods of one class measure the same data instead of adding a copy each.
   */
  <T> T fixture(Class<T> type, Function<BenchServer, T> make) {
    return type.cast(fixtures.computeIfAbsent(type, k -> make.apply(this)));
  }

  @Override
  public void close() throws IOException {
    synchronized (BenchServer.class) {
      if (this == shared) {
        return;
      }
    }
    stop();
  }

  /** Stops the shared server, if one was started. */
  static synchronized void closeShared() throws IOException {
    if (shared != null) {
      BenchServer s = shared;
      shared = null;
      s.stop();
    }
  }

  private void stop() throws IOException {
    server.close();
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
