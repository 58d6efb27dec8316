package dev.lanes.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.dispatch.BreakerSettings;
import dev.lanes.spi.RetrySettings;
import dev.lanes.spi.Routing;
import dev.lanes.spi.StopMode;
import dev.lanes.spi.TaskConfig;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/** Reads and validates the core keys of one resolved task config, eagerly. */
final class TaskSettingsReader {

  private final String task;
  private final Config config;
  private final String origin;

  private TaskSettingsReader(String task, Config config, String origin) {
    this.task = task;
    this.config = config;
    this.origin = origin;
  }

  static TaskConfig read(String task, Config config, String origin) {
    return new TaskSettingsReader(task, config, origin).read();
  }

  private TaskConfig read() {
    try {
      config.checkValid(TaskConfigLoader.defaults());
    } catch (ConfigException.ValidationFailed e) {
      throw new ReadyFailedException(
          origin + ": task '" + task + "': " + ConfigErrors.detail(e), e);
    }
    RetrySettings retry =
        new RetrySettings(
            atLeast("retry.maxAttempts", 1),
            duration("retry.initialDelay", false),
            multiplier(),
            duration("retry.maxDelay", false),
            fraction("retry.jitter"),
            duration("retry.parkLimit", true));
    TaskConfig read =
        new TaskConfig(
            task,
            text("transport"),
            text("handler"),
            atLeast("consumerNum", 1),
            atLeast("channelLength", 1),
            deliverBy(),
            routing(),
            retry,
            duration("handlerTimeout", false),
            duration("shutdownTimeout", false),
            stopMode(),
            config,
            origin);
    BreakerSettings.of(read); // validated now, read again by the runtime
    return read;
  }

  private String text(String key) {
    return get(key, "a string", () -> config.getString(key).trim());
  }

  private String deliverBy() {
    String value = text("deliverBy");
    if (value.startsWith("header:") && value.length() == "header:".length()) {
      throw invalid("deliverBy", "a header name after 'header:'", value);
    }
    return value;
  }

  private Routing routing() {
    String value = text("routing");
    return Routing.parse(value).orElseThrow(() -> invalid("routing", "lane or key", value));
  }

  private Optional<StopMode> stopMode() {
    String value = text("stopMode");
    if (value.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        StopMode.parse(value)
            .orElseThrow(() -> invalid("stopMode", "finish-running, drain or empty", value)));
  }

  private int atLeast(String key, int min) {
    int value = get(key, "an integer", () -> config.getInt(key));
    if (value < min) {
      throw invalid(key, "an integer >= " + min, value);
    }
    return value;
  }

  private double multiplier() {
    double value = get("retry.multiplier", "a number", () -> config.getDouble("retry.multiplier"));
    if (value < 1.0) {
      throw invalid("retry.multiplier", "a number >= 1.0", value);
    }
    return value;
  }

  private double fraction(String key) {
    double value = get(key, "a number", () -> config.getDouble(key));
    if (value < 0.0 || value >= 1.0) {
      throw invalid(key, "a fraction in [0, 1)", value);
    }
    return value;
  }

  private Duration duration(String key, boolean zeroAllowed) {
    Duration value = get(key, "a duration such as 500ms or 30s", () -> config.getDuration(key));
    if (value.isNegative() || (!zeroAllowed && value.isZero())) {
      throw invalid(key, zeroAllowed ? "a duration >= 0" : "a duration > 0", value);
    }
    return value;
  }

  private <T> T get(String key, String expectation, Supplier<T> reader) {
    try {
      return reader.get();
    } catch (ConfigException e) {
      throw new ReadyFailedException(
          where(key) + ": expected " + expectation + " (" + ConfigErrors.detail(e) + ")", e);
    }
  }

  private ReadyFailedException invalid(String key, String expectation, Object actual) {
    return new ReadyFailedException(where(key) + ": expected " + expectation + ", got " + actual);
  }

  private String where(String key) {
    String line = "";
    if (config.hasPath(key) && config.getValue(key).origin().lineNumber() > 0) {
      line = ":" + config.getValue(key).origin().lineNumber();
    }
    return origin + line + ": task '" + task + "': " + key;
  }
}
