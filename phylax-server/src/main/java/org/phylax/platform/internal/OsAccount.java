package org.phylax.platform.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An operating-system account by name and numeric ids. PostgreSQL refuses to run as root, so when
 * Phylax runs as root it starts the embedded PostgreSQL as one of these, through {@code setpriv}.
 */
final class OsAccount {

  private final String name;
  private final int uid;
  private final int gid;

  private OsAccount(String name, int uid, int gid) {
    this.name = name;
    this.uid = uid;
    this.gid = gid;
  }

  String name() {
    return name;
  }

  int uid() {
    return uid;
  }

  int gid() {
    return gid;
  }

  static boolean currentIsRoot() {
    return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
  }

  /** The account named {@code nameOrUid} in the system's user database, or empty. */
  static java.util.Optional<OsAccount> lookup(String nameOrUid) {
    try {
      Process p =
          new ProcessBuilder("getent", "passwd", nameOrUid).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0 || out.isEmpty()) {
        return java.util.Optional.empty();
      }
      String[] fields = out.lines().findFirst().orElse("").split(":");
      return java.util.Optional.of(
          new OsAccount(fields[0], Integer.parseInt(fields[2]), Integer.parseInt(fields[3])));
    } catch (IOException | RuntimeException e) {
      return java.util.Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return java.util.Optional.empty();
    }
  }

  /** The command prefix that runs a program as this account, in a session of its own. */
  List<String> runAs() {
    return List.of(
        "setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--reset-env", "--");
  }

  void chown(Path path) throws IOException {
    Files.setAttribute(path, "unix:uid", uid);
    Files.setAttribute(path, "unix:gid", gid);
  }

  boolean owns(Path path) throws IOException {
    return ((Integer) Files.getAttribute(path, "unix:uid")) == uid;
  }

  /**
   * Lets this account pass through every directory from the root down to {@code dir}, adding search
   * (x) permission for others where it is missing; returns the directories changed. Search
   * permission lets the account reach names it already knows; it cannot list those directories.
   */
  List<Path> grantTraverse(Path dir) throws IOException {
    List<Path> changed = new ArrayList<>();
    for (Path p = dir.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
      int mode = (Integer) Files.getAttribute(p, "unix:mode");
      if ((mode & 0001) == 0 && !owns(p)) {
        Files.setAttribute(p, "unix:mode", (mode & 07777) | 0001);
        changed.add(p);
      }
    }
    return changed;
  }

  @Override
  public String toString() {
    return name + "(" + uid + ")";
  }
}
