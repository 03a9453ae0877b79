package org.phylax.platform.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.phylax.platform.ConfigurationProblem;
import org.phylax.platform.PhylaxSettings;

/**
 * One Phylax process per data directory while it runs the embedded database: a second one would
 * otherwise take the first one's PostgreSQL for a leftover and stop it. The operating system
 * releases the lock when the process dies, however it dies, so a kill -9 leaves no stale lock.
 */
public final class DataDirLock implements AutoCloseable {

  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  public static DataDirLock acquire(Path dataDir) {
    Path file = dataDir.resolve("phylax.lock");
    FileChannel channel = null;
    try {
      channel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        channel.close();
        throw new ConfigurationProblem(
            PhylaxSettings.DATA_DIR
                + ": "
                + dataDir
                + " is in use by another running Phylax; stop it or choose another directory");
      }
      channel.truncate(0);
      channel.write(
          java.nio.ByteBuffer.wrap(
              (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
      return new DataDirLock(channel, lock);
    } catch (IOException e) {
      throw new ConfigurationProblem(
          PhylaxSettings.DATA_DIR
              + ": cannot lock "
              + file
              + " ("
              + e.getClass().getSimpleName()
              + ")");
    }
  }

  /** Whether a running process holds the lock of {@code dataDir} (this one or another). */
  public static boolean isHeld(Path dataDir) {
    Path file = dataDir.resolve("phylax.lock");
    if (!java.nio.file.Files.exists(file)) {
      return false;
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      FileLock probe = channel.tryLock();
      if (probe == null) {
        return true;
      }
      probe.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // closing the channel releases the lock in any case
    }
  }
}
