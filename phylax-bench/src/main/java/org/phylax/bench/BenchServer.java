package org.phylax.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.PhylaxSettings;

/**
 * The real server for an in-process benchmark: dev profile, embedded PostgreSQL in a fresh
 * temporary directory, a free port, scheduled audit checkpoints held off; closing it stops the
 * server and removes the directory.
 */
final class BenchServer implements AutoCloseable {

  final PhylaxServer server;
  private final Path dir;

  private BenchServer(PhylaxServer server, Path dir) {
    this.server = server;
    this.dir = dir;
  }

  static BenchServer start(String name) throws IOException {
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

  @Override
  public void close() throws IOException {
    server.close();
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
