package org.phylax.platform;

import java.nio.file.Path;
import java.util.Map;

/** Servers for integration tests, started in the test JVM the way most of them need one. */
public final class TestServers {

  private TestServers() {}

  /** A dev-profile Phylax on its embedded PostgreSQL in {@code dir/data}, on a free port. */
  public static PhylaxServer dev(Path dir) {
    Map<String, String> environment =
        Map.of(
            "PHYLAX_DATA_DIR",
            dir.resolve("data").toString(),
            "PHYLAX_PORT",
            Integer.toString(PhylaxProcess.freePort()));
    return PhylaxServer.start(PhylaxSettings.of(environment, PhylaxSettings.Profile.DEV));
  }
}
