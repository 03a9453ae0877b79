package org.phylax.platform.internal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.phylax.platform.ConfigurationProblem;
import org.phylax.platform.PhylaxSettings;

/**
 * The PostgreSQL server binaries that ship in the jar (zonky's Linux x86_64 archive), unpacked once
 * into a directory named by the archive's digest. Unpacking goes to a temporary directory that is
 * renamed into place, so an interrupted first start leaves nothing half-unpacked.
 */
final class PostgresBinaries {

  static final String ARCHIVE = "postgres-linux-x86_64.txz";

  private PostgresBinaries() {}

  /** Returns the directory holding {@code bin/postgres}, unpacking it under {@code root}. */
  static Path unpack(Path root) throws IOException {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "");
    if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      throw new ConfigurationProblem(
          PhylaxSettings.DB_URL
              + ": the embedded PostgreSQL is built for Linux x86_64 only, this is "
              + os
              + "/"
              + arch
              + "; set it to a PostgreSQL 15+ server");
    }
    String digest = digest();
    Path target = root.resolve(digest);
    if (Files.isExecutable(target.resolve("bin/postgres"))) {
      return target;
    }
    Files.createDirectories(root);
    Path staging = Files.createTempDirectory(root, digest + ".unpacking-");
    try (InputStream in = open();
        TarArchiveInputStream tar =
            new TarArchiveInputStream(new XZCompressorInputStream(new BufferedInputStream(in)))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        Path out = staging.resolve(entry.getName()).normalize();
        if (!out.startsWith(staging)) {
          throw new IOException("archive entry escapes its directory");
        }
        if (entry.isDirectory()) {
          Files.createDirectories(out);
        } else if (entry.isSymbolicLink()) {
          Files.createDirectories(out.getParent());
          Files.createSymbolicLink(out, Path.of(entry.getLinkName()));
        } else if (entry.isLink()) {
          Files.createDirectories(out.getParent());
          Files.createLink(out, staging.resolve(entry.getLinkName()).normalize());
        } else {
          Files.createDirectories(out.getParent());
          Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
          Files.setAttribute(out, "unix:mode", (entry.getMode() & 0755) | 0444);
        }
      }
      try (var dirs = Files.walk(staging)) {
        for (Path dir : (Iterable<Path>) dirs.filter(Files::isDirectory)::iterator) {
          Files.setAttribute(dir, "unix:mode", 0755);
        }
      }
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      deleteTree(staging);
      if (Files.isExecutable(target.resolve("bin/postgres"))) {
        return target; // another process unpacked it at the same time
      }
      throw e;
    }
    return target;
  }

  private static InputStream open() throws IOException {
    InputStream in = PostgresBinaries.class.getClassLoader().getResourceAsStream(ARCHIVE);
    if (in == null) {
      throw new ConfigurationProblem(
          PhylaxSettings.DB_URL
              + ": this build carries no embedded PostgreSQL; set it to a PostgreSQL 15+ server");
    }
    return in;
  }

  /**
   * Names the unpacked directory after the archive: its CRC-32 and size as recorded in the jar
   * (cheap to read at every start), or a SHA-256 of its bytes where no jar entry describes it.
   */
  private static String digest() throws IOException {
    java.net.URL url = PostgresBinaries.class.getClassLoader().getResource(ARCHIVE);
    if (url == null) {
      open(); // throws the explanatory problem
    }
    java.net.URLConnection connection = url.openConnection();
    if (connection instanceof java.net.JarURLConnection jar) {
      java.util.jar.JarEntry entry = jar.getJarEntry();
      if (entry != null && entry.getCrc() != -1 && entry.getSize() > 0) {
        return "pg-" + Long.toHexString(entry.getCrc()) + "-" + Long.toHexString(entry.getSize());
      }
    }
    try (InputStream in = new DigestInputStream(open(), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      byte[] hash = ((DigestInputStream) in).getMessageDigest().digest();
      return "pg-" + HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths
          .sorted(java.util.Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException | UncheckedIOException e) {
      // best effort: a leftover staging directory is harmless and retried next time
    }
  }
}
