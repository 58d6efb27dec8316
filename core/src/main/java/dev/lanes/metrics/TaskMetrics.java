package dev.lanes.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The meters of one task, named after OpenTelemetry's messaging conventions where one exists
 * ({@code messaging.client.consumed.messages}, {@code messaging.process.duration}) and prefixed
 * {@code lanes.} otherwise. Tags stay low-cardinality: never a key, id, offset or partition.
 * Thread-safe; the hot-path methods only look up cached meters.
 *
 * <p>Every meter of one name carries the same tag keys, whatever the transport or outcome: the
 * Prometheus registry drops a meter whose tag keys differ from the first one of its name. So {@code
 * error.type} and {@code messaging.consumer.group.name} are always present, empty when they do not
 * apply (Prometheus treats an empty label as an absent one).
 */
public final class TaskMetrics {

  public static final String CONSUMED = "messaging.client.consumed.messages";
  public static final String PROCESS_DURATION = "messaging.process.duration";
  public static final String LANE_WAIT = "lanes.lane.wait.duration";
  public static final String LANE_DEPTH = "lanes.lane.depth";
  public static final String INFLIGHT = "lanes.inflight";
  public static final String SOURCE_PAUSED = "lanes.source.paused";
  public static final String BACKLOG = "lanes.backlog";
  public static final String PARTITIONS_OWNED = "lanes.source.partitions.owned";
  public static final String DEAD_LETTERS = "lanes.dead.letters";
  public static final String TASK_STATE = "lanes.task.state";
  public static final String BREAKER_STATE = "lanes.breaker.state";

  private static final String NO_ERROR = "";

  private final MeterRegistry registry;
  private final Tags tags;
  private final Counter consumed;
  private final Counter deadLetters;
  private final Timer laneWait;
  private final Map<String, Timer> processTimers = new ConcurrentHashMap<>();
  private final Map<String, Timer> successTimers = new ConcurrentHashMap<>();

  /**
   * @param system the {@code messaging.system} value, e.g. {@code rabbitmq}
   * @param consumerGroup the consumer group / channel, or {@code null}
   */
  public TaskMetrics(
      MeterRegistry registry,
      String task,
      String system,
      String destination,
      String consumerGroup) {
    this.registry = registry;
    this.tags =
        Tags.of(
            "lanes.task",
            task,
            "messaging.system",
            system,
            "messaging.destination.name",
            destination,
            "messaging.consumer.group.name",
            consumerGroup == null ? "" : consumerGroup);
    this.consumed =
        Counter.builder(CONSUMED)
            .tags(tags)
            .description("Messages received from the broker")
            .register(registry);
    this.deadLetters =
        Counter.builder(DEAD_LETTERS)
            .tags(tags)
            .description("Messages sent to the dead letter destination")
            .register(registry);
    this.laneWait =
        Timer.builder(LANE_WAIT)
            .tags(tags)
            .description(
                "Time from the source receiving a message to its handler call: dispatcher,"
                    + " lane queue and wake-up")
            .register(registry);
  }

  public void received() {
    consumed.increment();
  }

  public void received(int count) {
    consumed.increment(count);
  }

  public void deadLettered() {
    deadLetters.increment();
  }

  public void waited(long nanos) {
    laneWait.record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * Records one handler call.
   *
   * @param outcome {@code ack}, {@code retry} or {@code reject}
   * @param errorType the exception's class name on failure, else {@code null} (tagged empty)
   */
  public void processed(String outcome, String errorType, long nanos) {
    if (errorType == null) { // the hot path: no key to build, nothing allocated per message
      Timer timer = successTimers.get(outcome);
      if (timer == null) {
        timer = successTimers.computeIfAbsent(outcome, this::successTimer);
      }
      timer.record(nanos, TimeUnit.NANOSECONDS);
      return;
    }
    processTimers
        .computeIfAbsent(outcome + '|' + errorType, k -> processTimer(outcome, errorType))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  private Timer successTimer(String outcome) {
    return processTimer(outcome, NO_ERROR);
  }

  private Timer processTimer(String outcome, String error) {
    return Timer.builder(PROCESS_DURATION)
        .tags(tags.and("lanes.outcome", outcome, "error.type", error))
        .description("Handler duration, from the call to its outcome")
        .publishPercentileHistogram()
        .register(registry);
  }

  /** Registers a task-level gauge such as in-flight or backlog. */
  public <T> void gauge(String name, String description, T state, ToDoubleFunction<T> value) {
    io.micrometer.core.instrument.Gauge.builder(name, state, value)
        .tags(tags)
        .description(description)
        .register(registry);
  }

  /** Registers a task-level counter that reads {@code value} of {@code state} at each scrape. */
  public <T> void counter(String name, String description, T state, ToDoubleFunction<T> value) {
    FunctionCounter.builder(name, state, value)
        .tags(tags)
        .description(description)
        .register(registry);
  }

  /** Registers a per-lane gauge. */
  public void laneGauge(int lane, Supplier<Number> depth) {
    io.micrometer.core.instrument.Gauge.builder(LANE_DEPTH, depth)
        .tags(tags.and(Tag.of("lanes.lane", Integer.toString(lane))))
        .description("Deliveries waiting in a lane")
        .register(registry);
  }

  /** Removes this task's meters, e.g. after a stop or before lanes are re-sharded. */
  public void removeLaneGauges() {
    registry.find(LANE_DEPTH).tags(tags).meters().forEach(registry::remove);
  }

  /** Removes every meter of this task. */
  public void close() {
    registry.getMeters().stream()
        .filter(m -> tags.stream().allMatch(t -> t.getValue().equals(m.getId().getTag(t.getKey()))))
        .forEach(registry::remove);
  }
}
