package org.phylax.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.phylax.platform.PhylaxServer;
import org.phylax.platform.PhylaxSettings;

/**
 * A command that works on the database ({@code keys …}, {@code audit …}): the settings as for
 * {@code serve}, then Phylax without its web server for the length of the command, on the running
 * server's embedded database when there is one.
 */
abstract class ToolCommand implements Callable<Integer> {

  Map<String, String> environment; // set by PhylaxCli's factory
  InputStream stdin;
  PrintStream out;

  @Override
  public Integer call() {
    PhylaxSettings settings =
        PhylaxSettings.load(environment, Path.of(""), PhylaxSettings.Profile.PROD);
    try (PhylaxServer phylax = PhylaxServer.startTool(settings)) {
      return run(phylax);
    }
  }

  /** Does the command's work; returns its exit status. */
  abstract int run(PhylaxServer phylax);
}
