package dev.lanes.testing;

import dev.lanes.config.TaskConfigLoader;
import dev.lanes.spi.TaskConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Task configs for tests: the defaults with fast retries and no jitter, plus overrides. */
public final class Tasks {

  private Tasks() {}

  /**
   * A task named {@code name} with {@code retry.jitter = 0}, {@code retry.initialDelay = 50ms} and
   * the given overrides (dotted keys, e.g. {@code "retry.maxAttempts"}).
   */
  public static TaskConfig task(String name, Map<String, ?> overrides) {
    Map<String, Object> all = new HashMap<>();
    all.put("retry.jitter", 0);
    all.put("retry.initialDelay", "50ms");
    all.putAll(overrides);
    return TaskConfigLoader.forTask(name, all);
  }

  /**
   * Task {@code name} of a task file {@code file} holding {@code hocon}, as the runner loads it:
   * its errors name the file and the key's line.
   */
  public static TaskConfig fromFile(Path file, String name, String hocon) throws IOException {
    Files.writeString(file, hocon);
    return TaskConfigLoader.load(
        TaskConfigLoader.parseFile(file.toFile()), file.toString(), name, null);
  }
}
