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

/** Reads and validates the core keys of one resolved task config, eagerly. */
final class TaskSettingsReader {

  private final String task;
  private final Config config;
  private final String origin;
  private final SectionReader keys;

  private TaskSettingsReader(String task, Config config, String origin) {
    this.task = task;
    this.config = config;
    this.origin = origin;
    this.keys = SectionReader.root(task, origin, config);
  }

  static TaskConfig read(String task, Config config, String origin) {
    return new TaskSettingsReader(task, config, origin).read();
  }

  private TaskConfig read() {
    try {
      config.checkValid(TaskConfigLoader.defaults());
    } catch (ConfigException.ValidationFailed e) {
      throw new ReadyFailedException(
          ConfigErrors.validation(origin, task, config, TaskConfigLoader.defaults(), e), e);
    }
    RetrySettings retry =
        new RetrySettings(
            keys.atLeast("retry.maxAttempts", 1),
            keys.positiveDuration("retry.initialDelay"),
            multiplier(),
            keys.positiveDuration("retry.maxDelay"),
            fraction("retry.jitter"),
            keys.duration("retry.parkLimit", Duration.ZERO));
    TaskConfig read =
        new TaskConfig(
            task,
            keys.text("transport"),
            keys.text("handler"),
            keys.atLeast("consumerNum", 1),
            keys.atLeast("channelLength", 1),
            deliverBy(),
            routing(),
            retry,
            keys.positiveDuration("handlerTimeout"),
            keys.positiveDuration("shutdownTimeout"),
            stopMode(),
            config,
            origin);
    BreakerSettings.of(read); // validated now, read again by the runtime
    return read;
  }

  private String deliverBy() {
    String value = keys.text("deliverBy");
    if (value.startsWith("header:") && value.length() == "header:".length()) {
      throw keys.invalid("deliverBy", "a header name after 'header:'", value);
    }
    return value;
  }

  private Routing routing() {
    String value = keys.text("routing");
    return Routing.parse(value).orElseThrow(() -> keys.invalid("routing", "lane or key", value));
  }

  private Optional<StopMode> stopMode() {
    String value = keys.text("stopMode");
    if (value.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        StopMode.parse(value)
            .orElseThrow(() -> keys.invalid("stopMode", "finish-running, drain or empty", value)));
  }

  private double multiplier() {
    double value = keys.number("retry.multiplier");
    if (value < 1.0) {
      throw keys.invalid("retry.multiplier", "a number >= 1.0", value);
    }
    return value;
  }

  private double fraction(String key) {
    double value = keys.number(key);
    if (value < 0.0 || value >= 1.0) {
      throw keys.invalid(key, "a fraction in [0, 1)", value);
    }
    return value;
  }
}
