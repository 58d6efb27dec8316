package dev.lanes.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.lanes.api.Message;
import dev.lanes.api.MessageHandler;
import dev.lanes.api.Outcome;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.runtime.StopReport;
import dev.lanes.runtime.TaskRuntime;
import dev.lanes.runtime.Transports;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.Transport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Runs a {@link MessageHandler} through the real Lanes dispatcher — lanes, routing, retry policy,
 * dead letters — for a user's tests. By default it uses the in-memory transport on a queue of its
 * own; {@link Builder#transport} runs it against the embedded local queue or a real broker instead,
 * with the same assertions.
 *
 * <pre>{@code
 * try (HandlerTestKit kit = HandlerTestKit.forHandler(new AccountUpdateHandler())
 *     .config("consumerNum = 4, deliverBy = order_id, retry.initialDelay = 10ms")
 *     .start()) {
 *   kit.sendJson("{\"order_id\": 7, \"amount\": 5}", "{\"order_id\": 7, \"amount\": -1}");
 *   kit.awaitSettled(2, Duration.ofSeconds(5));
 *   assertEquals(1, kit.deadLetters().size());
 * }
 * }</pre>
 *
 * <p>Not thread-safe: drive one kit from one test thread.
 */
public final class HandlerTestKit implements AutoCloseable {

  private static final Duration POLL = Duration.ofMillis(10);

  private final TaskConfig task;
  private final Transport transport;
  private final RecordingDecorator handler;
  private final TaskRuntime runtime;
  private final TaskRuntime deadLetterRuntime;
  private final RecordingDecorator deadLetterRecorder;
  private final Publisher publisher;

  private HandlerTestKit(Builder b) {
    this.transport = b.transport;
    this.task = b.task();
    this.handler = new RecordingDecorator(b.handler);
    this.runtime = TaskRuntime.create(task, transport, handler, new SimpleMeterRegistry());
    this.deadLetterRecorder = new RecordingDecorator(m -> Outcome.ack());
    this.deadLetterRuntime =
        b.deadLetters == null
            ? null
            : TaskRuntime.create(
                TaskConfigLoader.forTask(
                    task.name() + "_dead",
                    b.deadLetters
                        .apply(task)
                        .withFallback(
                            ConfigFactory.parseMap(
                                Map.of("transport", transport.name(), "consumerNum", 1)))),
                transport,
                deadLetterRecorder,
                new SimpleMeterRegistry());
    runtime.start();
    if (deadLetterRuntime != null) {
      deadLetterRuntime.start();
    }
    this.publisher = transport.openPublisher(task);
  }

  /** A builder for a kit that runs {@code handler}. */
  public static Builder forHandler(MessageHandler handler) {
    return new Builder(handler);
  }

  /** Publishes messages to the task's destination, in order. */
  public HandlerTestKit send(Message... messages) throws Exception {
    publisher.publishAll(List.of(messages));
    return this;
  }

  /** Publishes JSON (or any UTF-8) payloads, in order. */
  public HandlerTestKit sendJson(String... payloads) throws Exception {
    List<Message> messages = new ArrayList<>();
    for (String payload : payloads) {
      messages.add(Message.builder().payload(payload).build());
    }
    publisher.publishAll(messages);
    return this;
  }

  /**
   * Waits until {@code count} messages have been settled for good (acked, or dead-lettered after
   * rejects and exhausted retries).
   *
   * @throws TimeoutException with the counts so far when they do not settle in time
   */
  public void awaitSettled(long count, Duration timeout)
      throws TimeoutException, InterruptedException {
    awaitCondition(
        () -> runtime.stats().acked() + runtime.stats().rejected() >= count,
        timeout,
        () -> "expected " + count + " settled messages, have " + runtime.stats());
    if (deadLetterRuntime != null) {
      long rejected = runtime.stats().rejected();
      awaitCondition(
          () -> deadLetterRecorder.calls().size() >= rejected,
          timeout,
          () ->
              "expected " + rejected + " dead letters, have " + deadLetterRecorder.calls().size());
    }
  }

  private static void awaitCondition(
      BooleanSupplier done, Duration timeout, java.util.function.Supplier<String> state)
      throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new TimeoutException(state.get());
      }
      TimeUnit.NANOSECONDS.sleep(POLL.toNanos());
    }
  }

  /** Every handler call so far, in the order the handler returned or threw. */
  public List<HandledCall> calls() {
    return handler.calls();
  }

  /** The messages the handler acked, in the order it acked them. */
  public List<Message> acked() {
    return calls().stream().filter(HandledCall::acked).map(HandledCall::message).toList();
  }

  /**
   * Handler calls grouped by a JSON field of the payload (e.g. {@code order_id}), each in call
   * order.
   */
  public Map<Object, List<HandledCall>> callsBy(String jsonField) {
    Map<Object, List<HandledCall>> byKey = new LinkedHashMap<>();
    for (HandledCall call : calls()) {
      Object key = call.message().field(jsonField).orElse(null);
      byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(call);
    }
    return byKey;
  }

  /** Messages in the dead letter destination, with their reasons. */
  public List<DeadLetter> deadLetters() {
    return deadLetterRecorder.calls().stream().map(c -> new DeadLetter(c.message())).toList();
  }

  /** The task config the kit runs, e.g. to read the resolved retry policy. */
  public TaskConfig task() {
    return task;
  }

  /** Stops the task gracefully; also done by {@link #close()}. */
  public StopReport stop() {
    publisher.close();
    if (deadLetterRuntime != null) {
      deadLetterRuntime.stop();
    }
    return runtime.stop();
  }

  @Override
  public void close() {
    stop();
  }

  /** Configures a {@link HandlerTestKit}. */
  public static final class Builder {
    private final MessageHandler handler;
    private Transport transport;
    private Config destination;
    private Config config = ConfigFactory.empty();
    private Function<TaskConfig, Config> deadLetters;

    private Builder(MessageHandler handler) {
      this.handler = Objects.requireNonNull(handler, "handler");
      memory();
    }

    private void memory() {
      this.transport = Transports.load("memory");
      String queue = "testkit-" + UUID.randomUUID();
      this.destination = ConfigFactory.parseMap(Map.of("memory.queue", queue));
      this.deadLetters = t -> ConfigFactory.parseMap(Map.of("memory.queue", queue + ".dlq"));
    }

    /**
     * Task settings in HOCON, over the defaults, e.g. {@code "consumerNum = 4, deliverBy =
     * order_id"}. The kit's own defaults make retries fast: {@code retry.initialDelay = 10ms},
     * {@code retry.jitter = 0}.
     */
    public Builder config(String hocon) {
      this.config = ConfigFactory.parseString(hocon).withFallback(config);
      return this;
    }

    /**
     * Runs on another transport found with ServiceLoader (e.g. {@code local}, {@code kafka}), with
     * {@code destination} settings such as {@code "kafka.topic = orders-it"}, and {@code
     * deadLetterDestination} settings of a task that reads its dead letters (or {@code null} not to
     * read them). Settings given with {@link #config}, before or after, still apply.
     */
    public Builder transport(String name, String destination, String deadLetterDestination) {
      this.transport = Transports.load(name);
      this.destination = ConfigFactory.parseString(destination);
      this.deadLetters =
          deadLetterDestination == null
              ? null
              : t -> ConfigFactory.parseString(deadLetterDestination);
      return this;
    }

    /** Starts the task; the handler's {@code open} runs now. */
    public HandlerTestKit start() {
      return new HandlerTestKit(this);
    }

    private TaskConfig task() {
      Config defaults =
          ConfigFactory.parseMap(
              Map.of(
                  "transport",
                  transport.name(),
                  "retry.initialDelay",
                  "10ms",
                  "retry.jitter",
                  0,
                  "shutdownTimeout",
                  "10s"));
      return TaskConfigLoader.forTask(
          "testkit", config.withFallback(destination).withFallback(defaults));
    }
  }
}
