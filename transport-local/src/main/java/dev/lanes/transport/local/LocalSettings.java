package dev.lanes.transport.local;

import dev.lanes.config.SectionReader;
import dev.lanes.spi.TaskConfig;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;

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
    SectionReader local = SectionReader.of(task, SECTION);
    String dir = local.text("dataDir");
    if (dir.isEmpty()) {
      throw local.invalid("dataDir", "a directory path, not empty");
    }
    Path dataDir;
    try {
      dataDir = Path.of(dir).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw local.invalid("dataDir", "a directory path", e);
    }
    return new LocalSettings(
        dataDir,
        local.textOrTaskName("queue"),
        local.duration("visibilityTimeout", MIN_VISIBILITY),
        local.positiveDuration("pollInterval"),
        local.atLeast("batchSize", 1));
  }

  /** Where this task's rejected messages go. */
  public String deadLetterQueue() {
    return queue + DEAD_LETTER_SUFFIX;
  }
}
