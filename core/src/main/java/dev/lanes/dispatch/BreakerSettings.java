package dev.lanes.dispatch;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.config.ConfigErrors;
import dev.lanes.spi.TaskConfig;
import java.time.Duration;

/**
 * A task's circuit breaker settings ({@code breaker { ... }} in config; the meaning and default of
 * each key are in {@code reference.conf}).
 *
 * @param enabled whether handler calls go through a breaker at all
 * @param failureRate open when at least this percentage of the calls in the window failed
 * @param window the time-based sliding window the rate is taken over (whole seconds)
 * @param minimumCalls calls the window must hold before the rate counts
 * @param openFor how long the breaker stays open before it lets probes through
 * @param probes half-open probe calls, run one at a time, that decide whether it closes
 */
public record BreakerSettings(
    boolean enabled,
    float failureRate,
    Duration window,
    int minimumCalls,
    Duration openFor,
    int probes) {

  /**
   * Reads and validates {@code breaker.*} of {@code task}.
   *
   * @throws ReadyFailedException naming the key when a value is invalid
   */
  public static BreakerSettings of(TaskConfig task) {
    Config c = task.section("breaker");
    return new BreakerSettings(
        read(task, "enabled", "true or false", () -> c.getBoolean("enabled")),
        percent(task, c),
        seconds(task, c, "window"),
        atLeastOne(task, c, "minimumCalls"),
        positive(task, c, "openFor"),
        atLeastOne(task, c, "probes"));
  }

  private static float percent(TaskConfig task, Config c) {
    double value = read(task, "failureRate", "a number", () -> c.getDouble("failureRate"));
    if (value <= 0 || value > 100) {
      throw invalid(task, "failureRate", "a percentage in (0, 100], got " + value, null);
    }
    return (float) value;
  }

  private static Duration seconds(TaskConfig task, Config c, String key) {
    Duration value = positive(task, c, key);
    if (value.toMillis() % 1000 != 0) {
      throw invalid(task, key, "whole seconds such as 60s, got " + value, null);
    }
    return value;
  }

  private static Duration positive(TaskConfig task, Config c, String key) {
    Duration value = read(task, key, "a duration such as 30s", () -> c.getDuration(key));
    if (value.toMillis() < 1) {
      throw invalid(task, key, "a duration >= 1ms, got " + value, null);
    }
    return value;
  }

  private static int atLeastOne(TaskConfig task, Config c, String key) {
    int value = read(task, key, "an integer", () -> c.getInt(key));
    if (value < 1) {
      throw invalid(task, key, "an integer >= 1, got " + value, null);
    }
    return value;
  }

  private static <T> T read(TaskConfig task, String key, String expectation, Reader<T> reader) {
    try {
      return reader.read();
    } catch (ConfigException e) {
      throw invalid(task, key, expectation + " (" + ConfigErrors.detail(e) + ")", e);
    }
  }

  /** In the format of the core keys' errors: {@code <origin>:<line>: task '<name>': <key>: ...}. */
  private static ReadyFailedException invalid(
      TaskConfig task, String key, String expectation, Exception cause) {
    String path = "breaker." + key;
    String line = "";
    if (task.config().hasPath(path) && task.config().getValue(path).origin().lineNumber() > 0) {
      line = ":" + task.config().getValue(path).origin().lineNumber();
    }
    return new ReadyFailedException(
        task.origin()
            + line
            + ": task '"
            + task.name()
            + "': "
            + path
            + ": expected "
            + expectation,
        cause);
  }

  @FunctionalInterface
  private interface Reader<T> {
    T read();
  }
}
