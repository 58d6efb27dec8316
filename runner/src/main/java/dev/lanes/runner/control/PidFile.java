package dev.lanes.runner.control;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * A service's pid file: written and locked by the service while it runs; read by the control
 * commands, which tell a live service from a stale file.
 */
public final class PidFile {

  private PidFile() {}

  /** The pid in {@code file}, if the file exists and holds a number. */
  public static Optional<Long> read(Path file) {
    try {
      return Optional.of(Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** The live process named by {@code file}, if any (a stale file names a dead one). */
  public static Optional<ProcessHandle> liveProcess(Path file) {
    return read(file).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
  }

  /**
   * Takes the pid file for this process: locks it (so a second service for the same ENV/TASK cannot
   * start, however close the race) and writes this process's pid.
   *
   * @return the held file, or empty when another live process holds it
   */
  public static Optional<Held> acquire(Path file) throws IOException {
    FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      return Optional.empty();
    }
    channel.truncate(0);
    channel.write(
        ByteBuffer.wrap(
            (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
    channel.force(false);
    return Optional.of(new Held(file, channel));
  }

  /**
   * A pid file this process holds; {@link #close()} deletes it and releases the lock. Idempotent.
   */
  public static final class Held implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;

    private Held(Path file, FileChannel channel) {
      this.file = file;
      this.channel = channel;
    }

    @Override
    public synchronized void close() {
      if (!channel.isOpen()) {
        return;
      }
      try {
        Files.deleteIfExists(file);
        channel.close();
      } catch (IOException e) {
        // left behind: the next start sees a dead pid and cleans it up
      }
    }
  }
}
