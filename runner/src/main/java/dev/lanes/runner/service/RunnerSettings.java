package dev.lanes.runner.service;

import com.typesafe.config.ConfigValue;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.config.SectionReader;
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

  /**
   * The runner's keys a live update takes without restarting the pipeline (core decides for its
   * own): alerts and log levels apply at once, {@code exitWhenIdle} at the next idle check, {@code
   * seed} only seeds at a start, and {@code http} is bound when the process starts, so a change
   * there waits for the next process start either way.
   */
  public static final Set<String> LIVE_KEYS =
      Set.of("alerts", "log", "http", "exitWhenIdle", "seed");

  private static final Set<String> LEVELS =
      Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

  /** Reads the runner's keys of {@code task}. */
  public static RunnerSettings of(TaskConfig task) {
    SectionReader keys = SectionReader.root(task);
    String host = keys.get("http.host", "a host name or address", c -> c.getString("http.host"));
    HttpSettings http =
        new HttpSettings(
            keys.bool("http.enabled"), host, port(keys), PublishSettings.of(task, host));
    AlertSettings alerts =
        new AlertSettings(
            keys.duration("alerts.slowHandler", Duration.ZERO),
            keys.duration("alerts.stall", Duration.ZERO),
            backlog(keys),
            keys.duration("alerts.backlogFor", Duration.ZERO),
            keys.duration("alerts.brokerUnreachable", Duration.ZERO),
            keys.duration("alerts.interval", Duration.ZERO));
    LogSettings log =
        new LogSettings(
            level(keys, "log.level", keys.config().getValue("log.level")),
            levels(keys),
            format(keys));
    return new RunnerSettings(
        http, alerts, log, keys.duration("exitWhenIdle", Duration.ZERO), pluginsDir(keys));
  }

  /** These settings with the plugins directory given on the command line ({@code --plugins}). */
  public RunnerSettings withPluginsDir(Path dir) {
    return new RunnerSettings(http, alerts, log, exitWhenIdle, dir);
  }

  private static Path pluginsDir(SectionReader keys) {
    String dir = keys.get("plugins.dir", "a directory path", c -> c.getString("plugins.dir"));
    try {
      if (dir.isBlank()) {
        throw new InvalidPathException(dir, "empty");
      }
      return Path.of(dir);
    } catch (InvalidPathException e) {
      throw keys.invalid("plugins.dir", "a directory path", e);
    }
  }

  private static int port(SectionReader keys) {
    int port = keys.get("http.port", "a port number in [0, 65535]", c -> c.getInt("http.port"));
    if (port < 0 || port > 65535) {
      throw keys.invalid("http.port", "a port number in [0, 65535] (0 = any free port)", port);
    }
    return port;
  }

  private static long backlog(SectionReader keys) {
    long backlog =
        keys.get("alerts.backlog", "a message count >= 0", c -> c.getLong("alerts.backlog"));
    if (backlog < 0) {
      throw keys.invalid("alerts.backlog", "a message count >= 0", backlog);
    }
    return backlog;
  }

  private static String format(SectionReader keys) {
    String format = keys.get("log.format", "text or json", c -> c.getString("log.format"));
    if (!format.equals("text") && !format.equals("json")) {
      throw keys.invalid("log.format", "text or json", format);
    }
    return format;
  }

  private static Map<String, String> levels(SectionReader keys) {
    Map<String, String> levels = new LinkedHashMap<>();
    keys.get("log.levels", "an object of logger = LEVEL", c -> c.getObject("log.levels"))
        .forEach((logger, value) -> levels.put(logger, level(keys, "log.levels." + logger, value)));
    return Map.copyOf(levels);
  }

  private static String level(SectionReader keys, String key, ConfigValue value) {
    String level = String.valueOf(value.unwrapped()).trim().toUpperCase(Locale.ROOT);
    if (!LEVELS.contains(level)) {
      throw keys.invalid(key, "one of TRACE, DEBUG, INFO, WARN, ERROR, OFF", value.unwrapped());
    }
    return level;
  }
}
