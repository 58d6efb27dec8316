package dev.lanes.runner.service;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.runner.alert.AlertSettings;
import dev.lanes.runner.publish.PublishSettings;
import dev.lanes.spi.TaskConfig;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The runner's own keys of a task ({@code http.*}, {@code alerts.*}, {@code log.*}, {@code
 * plugins.dir}), read and validated eagerly; an invalid value is a {@link ReadyFailedException}
 * naming file, task and key.
 *
 * @param http the HTTP server
 * @param alerts the alert thresholds
 * @param log log levels and format
 * @param exitWhenIdle stop once idle this long; zero = never
 * @param pluginsDir the directory of plugin jars (relative to the working directory)
 */
public record RunnerSettings(
    HttpSettings http,
    AlertSettings alerts,
    LogSettings log,
    Duration exitWhenIdle,
    Path pluginsDir) {

  /** {@code http.*}; {@code publish} is {@code http.publish.*}. */
  public record HttpSettings(boolean enabled, String host, int port, PublishSettings publish) {}

  /** {@code log.*}; levels are logback level names. */
  public record LogSettings(String level, Map<String, String> levels, String format) {}

  private static final Set<String> LEVELS =
      Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

  /** Reads the runner's keys of {@code task}. */
  public static RunnerSettings of(TaskConfig task) {
    Config c = task.config();
    String host = read(task, "http.host", "a host name or address", () -> c.getString("http.host"));
    HttpSettings http =
        new HttpSettings(
            read(task, "http.enabled", "true or false", () -> c.getBoolean("http.enabled")),
            host,
            port(task, c),
            PublishSettings.of(task, host));
    AlertSettings alerts =
        new AlertSettings(
            duration(task, c, "alerts.slowHandler"),
            duration(task, c, "alerts.stall"),
            read(
                task,
                "alerts.backlog",
                "a message count >= 0",
                () -> nonNegative(c.getLong("alerts.backlog"))),
            duration(task, c, "alerts.backlogFor"),
            duration(task, c, "alerts.brokerUnreachable"),
            duration(task, c, "alerts.interval"));
    LogSettings log =
        new LogSettings(
            level(task, "log.level", c.getValue("log.level")), levels(task, c), format(task, c));
    return new RunnerSettings(
        http, alerts, log, duration(task, c, "exitWhenIdle"), pluginsDir(task, c));
  }

  /** These settings with the plugins directory given on the command line ({@code --plugins}). */
  public RunnerSettings withPluginsDir(Path dir) {
    return new RunnerSettings(http, alerts, log, exitWhenIdle, dir);
  }

  private static Path pluginsDir(TaskConfig task, Config c) {
    String dir = read(task, "plugins.dir", "a directory path", () -> c.getString("plugins.dir"));
    try {
      if (dir.isBlank()) {
        throw new InvalidPathException(dir, "empty");
      }
      return Path.of(dir);
    } catch (InvalidPathException e) {
      throw task.invalid("plugins.dir", "a directory path", e);
    }
  }

  private static int port(TaskConfig task, Config c) {
    int port = read(task, "http.port", "a port number in [0, 65535]", () -> c.getInt("http.port"));
    if (port < 0 || port > 65535) {
      throw task.invalid(
          "http.port",
          "a port number in [0, 65535] (0 = any free port)",
          new IllegalArgumentException("got " + port));
    }
    return port;
  }

  private static Duration duration(TaskConfig task, Config c, String key) {
    Duration value =
        read(task, key, "a duration >= 0 such as 500ms or 30s", () -> c.getDuration(key));
    if (value.isNegative()) {
      throw task.invalid(key, "a duration >= 0", new IllegalArgumentException("got " + value));
    }
    return value;
  }

  private static long nonNegative(long value) {
    if (value < 0) {
      throw new ConfigException.Generic("got " + value);
    }
    return value;
  }

  private static String format(TaskConfig task, Config c) {
    String format = read(task, "log.format", "text or json", () -> c.getString("log.format"));
    if (!format.equals("text") && !format.equals("json")) {
      throw task.invalid(
          "log.format", "text or json", new IllegalArgumentException("got " + format));
    }
    return format;
  }

  private static Map<String, String> levels(TaskConfig task, Config c) {
    Map<String, String> levels = new LinkedHashMap<>();
    read(task, "log.levels", "an object of logger = LEVEL", () -> c.getObject("log.levels"))
        .forEach((logger, value) -> levels.put(logger, level(task, "log.levels." + logger, value)));
    return Map.copyOf(levels);
  }

  private static String level(TaskConfig task, String key, ConfigValue value) {
    String level = String.valueOf(value.unwrapped()).trim().toUpperCase(Locale.ROOT);
    if (!LEVELS.contains(level)) {
      throw task.invalid(
          key,
          "one of TRACE, DEBUG, INFO, WARN, ERROR, OFF",
          new IllegalArgumentException("got " + value.unwrapped()));
    }
    return level;
  }

  private static <T> T read(TaskConfig task, String key, String expectation, Supplier<T> reader) {
    try {
      return reader.get();
    } catch (ConfigException e) {
      throw task.invalid(key, expectation, e);
    }
  }
}
