package dev.lanes.spi;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.config.ConfigErrors;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One task's validated settings: its section of the task file over {@code system} over the defaults
 * in {@code reference.conf}. Built once, immutable; transports read their own section with {@link
 * #section(String)}.
 *
 * @param name the task's name (its section in the task file)
 * @param transport the transport name, e.g. {@code kafka}
 * @param handler the handler class or plugin name; empty when the task is run programmatically
 * @param consumerNum the number of lanes
 * @param channelLength the queue bound of each lane
 * @param deliverBy the routing field: a dotted JSON path, {@code key}, {@code header:NAME}, or
 *     empty for no key (least-loaded lane)
 * @param routing how deliveries are spread over the {@code consumerNum} threads: fixed lanes by
 *     key, or any idle thread for any key with nothing in flight
 * @param retry the retry policy
 * @param handlerTimeout how long one handler call may run before it counts as failed
 * @param shutdownTimeout the deadline of the whole graceful stop
 * @param stopMode what a graceful stop does with queued, un-started deliveries; empty for the
 *     transport's {@link Transport#defaultStopMode() default}
 * @param config the full resolved config of the task
 * @param origin where the config came from (a file name), for error messages
 */
public record TaskConfig(
    String name,
    String transport,
    String handler,
    int consumerNum,
    int channelLength,
    String deliverBy,
    Routing routing,
    RetrySettings retry,
    Duration handlerTimeout,
    Duration shutdownTimeout,
    Optional<StopMode> stopMode,
    Config config,
    String origin) {

  public TaskConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(routing, "routing");
    Objects.requireNonNull(stopMode, "stopMode");
    Objects.requireNonNull(config, "config");
  }

  /** The stop mode in effect on {@code transport}: the task's own, or the transport's default. */
  public StopMode stopModeOn(Transport transport) {
    return stopMode.orElseGet(transport::defaultStopMode);
  }

  /**
   * The settings without the values of {@code config}, which may hold credentials (an AMQP URI, a
   * Kafka JAAS config): a task config can be logged.
   */
  @Override
  public String toString() {
    return "TaskConfig[name="
        + name
        + ", transport="
        + transport
        + ", handler="
        + handler
        + ", consumerNum="
        + consumerNum
        + ", channelLength="
        + channelLength
        + ", deliverBy="
        + deliverBy
        + ", routing="
        + routing
        + ", retry="
        + retry
        + ", handlerTimeout="
        + handlerTimeout
        + ", shutdownTimeout="
        + shutdownTimeout
        + ", origin="
        + origin
        + "]";
  }

  /**
   * A transport's or feature's own section, e.g. {@code section("kafka")}.
   *
   * @throws ReadyFailedException naming the file and key when the section is missing or not an
   *     object
   */
  public Config section(String key) {
    try {
      return config.getConfig(key);
    } catch (ConfigException e) {
      throw invalid(key, "an object { ... }", e);
    }
  }

  /**
   * A ReadyFailed error for an invalid key of this task, in the one format every module uses:
   * {@code <origin>[:<line>]: task '<name>': <key>: expected <expectation> (<cause>)}, the line
   * being the key's in the task file when it is set there. Transports read their section with
   * {@link dev.lanes.config.SectionReader}, which reports in this format too.
   */
  public ReadyFailedException invalid(String key, String expectation, Exception cause) {
    String detail = cause == null ? "" : " (" + ConfigErrors.detail(cause) + ")";
    return failed(key, "expected " + expectation + detail, cause);
  }

  /**
   * A ReadyFailed error for a key of this task whose value is well formed but does not work here (a
   * broker that cannot be reached, a queue the broker refuses), in the format of {@link #invalid}:
   * {@code <origin>[:<line>]: task '<name>': <key>: <problem>}.
   *
   * @param cause what failed, or {@code null}
   */
  public ReadyFailedException failed(String key, String problem, Throwable cause) {
    return new ReadyFailedException(
        ConfigErrors.where(origin, name, config, key) + ": " + problem, cause);
  }
}
