package org.phylax.records;

import java.nio.file.Path;
import java.util.Map;
import org.phylax.access.Permit;
import org.phylax.access.SystemAccess;
import org.phylax.platform.PhylaxProcess;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.PhylaxSettings;
import org.phylax.platform.PhylaxSettings.Profile;

/** A Phylax on its embedded PostgreSQL in {@code dir}, started in this JVM, with its beans. */
final class RecordsTestServer implements AutoCloseable {

  final PhylaxServer server;
  final Path dataDir;

  private RecordsTestServer(PhylaxServer server, Path dataDir) {
    this.server = server;
    this.dataDir = dataDir;
  }

  static RecordsTestServer start(Path dir) {
    Path data = dir.resolve("data");
    PhylaxSettings settings =
        PhylaxSettings.of(
            Map.of(
                "PHYLAX_DATA_DIR", data.toString(),
                "PHYLAX_PORT", Integer.toString(PhylaxProcess.freePort())),
            Profile.DEV);
    return new RecordsTestServer(PhylaxServer.start(settings), data);
  }

  <T> T bean(Class<T> type) {
    return server.context().getBean(type);
  }

  RecordStore store() {
    return bean(RecordStore.class);
  }

  Permit system(String task) {
    return bean(SystemAccess.class).forTask(task);
  }

  @Override
  public void close() {
    server.close();
  }
}
