package dev.lanes.transport.local;

import dev.lanes.api.ReadyFailedException;
import dev.lanes.spi.TaskConfig;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The right to consume one queue of a store: one consumer at a time, so each key's messages are
 * handled in order and a consumer that starts knows every row still leased was left by one that
 * stopped. An OS file lock on {@code <dataDir>/consumers/<queue>.lock}, which the OS releases when
 * the process dies, even by SIGKILL; the file names the holder (pid, task, since when) for the
 * error a second consumer gets.
 */
final class ConsumerLock {

  /** Lock files held by this JVM, with the task holding each. */
  private static final Map<Path, String> HELD = new ConcurrentHashMap<>();

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;

  private ConsumerLock(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock of {@code queue} in {@code dataDir} for {@code task}.
   *
   * @throws ReadyFailedException naming the holder when another consumer has it
   */
  static ConsumerLock acquire(TaskConfig task, Path dataDir, String queue) {
    Path file;
    try {
      Path dir = Files.createDirectories(dataDir.toRealPath().resolve("consumers"));
      file = dir.resolve(URLEncoder.encode(queue, StandardCharsets.UTF_8) + ".lock");
    } catch (IOException e) {
      throw cannotLock(task, queue, dataDir, e);
    }
    String holder = HELD.putIfAbsent(file, task.name());
    if (holder != null) {
      throw refused(task, queue, dataDir, "task '" + holder + "' of this process");
    }
    FileChannel channel = null;
    try {
      channel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        String other = Files.readString(file, StandardCharsets.UTF_8).strip();
        throw refused(task, queue, dataDir, other.isEmpty() ? "another process" : other);
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(holderLine(task).getBytes(StandardCharsets.UTF_8)), 0);
      channel.force(false);
      return new ConsumerLock(file, channel, lock);
    } catch (IOException | RuntimeException e) {
      HELD.remove(file);
      closeQuietly(channel);
      throw e instanceof ReadyFailedException refusal
          ? refusal
          : cannotLock(task, queue, dataDir, e);
    }
  }

  /** Gives the queue up to the next consumer. Call once. */
  void release() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // closing the channel failed: the lock goes with the process
    } finally {
      HELD.remove(file);
    }
  }

  private static String holderLine(TaskConfig task) {
    return "pid "
        + ProcessHandle.current().pid()
        + ", task '"
        + task.name()
        + "', since "
        + Instant.now();
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // nothing was locked through it
      }
    }
  }

  private static ReadyFailedException cannotLock(
      TaskConfig task, String queue, Path dataDir, Exception e) {
    return new ReadyFailedException(
        taskAndQueue(task, queue, dataDir) + ": cannot take its consumer lock: " + e, e);
  }

  private static ReadyFailedException refused(
      TaskConfig task, String queue, Path dataDir, String holder) {
    return new ReadyFailedException(
        taskAndQueue(task, queue, dataDir)
            + " is consumed by "
            + holder
            + "; a local queue has one consumer at a time, so each key's messages stay in order."
            + " Stop that one first, or give this task another local.queue (more than one"
            + " machine: docs/scaling-out.md)");
  }

  /** {@code <origin>: task '<name>': local queue '<queue>' in <dataDir>}. */
  private static String taskAndQueue(TaskConfig task, String queue, Path dataDir) {
    return task.origin()
        + ": task '"
        + task.name()
        + "': local queue '"
        + queue
        + "' in "
        + dataDir;
  }
}
