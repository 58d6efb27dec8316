package dev.lanes.transport.local;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.lanes.spi.TaskConfig;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * A task's {@code local { ... }} block, read and validated once.
 *
 * @param dataDir the directory holding the store file (created when missing), absolute
 * @param queue the queue the task consumes and publishes to
 * @param visibilityTimeout how long a claimed message stays invisible to other consumers without
 *     its lease being renewed: the time a crashed consumer's messages take to come back
 * @param pollInterval the longest a consumer waits before looking for due messages again; bounds
 *     how late a message published by another process is seen
 * @param batchSize the most messages claimed in one fetch
 */
public record LocalSettings(
    Path dataDir, String queue, Duration visibilityTimeout, Duration pollInterval, int batchSize) {

  /** The suffix of the dead-letter queue: rejects of queue {@code q} go to {@code q.dlq}. */
  public static final String DEAD_LETTER_SUFFIX = ".dlq";

  private static final String SECTION = "local";
  private static final Duration MIN_VISIBILITY = Duration.ofSeconds(1);

  /**
   * Reads {@code task.section("local")}.
   *
   * @throws dev.lanes.api.ReadyFailedException naming the key when a value is invalid
   */
  public static LocalSettings from(TaskConfig task) {
    Config c = task.section(SECTION);
    String dir = get(task, c, "dataDir", "a directory path", () -> c.getString("dataDir").trim());
    if (dir.isEmpty()) {
      throw task.invalid(key("dataDir"), "a directory path, not empty", null);
    }
    Path dataDir;
    try {
      dataDir = Path.of(dir).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw task.invalid(key("dataDir"), "a directory path", e);
    }
    String queue = get(task, c, "queue", "a queue name", () -> c.getString("queue").trim());
    if (queue.isEmpty()) {
      queue = task.name();
    }
    Duration visibility = duration(task, c, "visibilityTimeout");
    if (visibility.compareTo(MIN_VISIBILITY) < 0) {
      throw task.invalid(key("visibilityTimeout"), "a duration >= 1s, got " + visibility, null);
    }
    Duration poll = duration(task, c, "pollInterval");
    int batchSize = get(task, c, "batchSize", "an integer", () -> c.getInt("batchSize"));
    if (batchSize < 1) {
      throw task.invalid(key("batchSize"), "an integer >= 1, got " + batchSize, null);
    }
    return new LocalSettings(dataDir, queue, visibility, poll, batchSize);
  }

  /** Where this task's rejected messages go. */
  public String deadLetterQueue() {
    return queue + DEAD_LETTER_SUFFIX;
  }

  private static Duration duration(TaskConfig task, Config c, String name) {
    Duration value =
        get(task, c, name, "a duration such as 500ms or 30s", () -> c.getDuration(name));
    if (value.isNegative() || value.isZero()) {
      throw task.invalid(key(name), "a duration > 0, got " + value, null);
    }
    return value;
  }

  private static <T> T get(
      TaskConfig task, Config c, String name, String expectation, Supplier<T> reader) {
    try {
      return reader.get();
    } catch (ConfigException e) {
      throw task.invalid(key(name), expectation, e);
    }
  }

  private static String key(String name) {
    return SECTION + "." + name;
  }
}
