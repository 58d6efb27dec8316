package dev.lanes.dispatch;

import dev.lanes.api.Message;
import dev.lanes.api.MessageHandler;
import dev.lanes.api.Outcome;
import dev.lanes.metrics.TaskMetrics;
import dev.lanes.spi.StopMode;
import dev.lanes.spi.TaskConfig;
import dev.lanes.testing.EventLog;
import dev.lanes.testing.FakeSource;
import dev.lanes.testing.RecordingAcknowledger;
import dev.lanes.testing.Tasks;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A started {@link Dispatcher} fed by a {@link FakeSource}, with a handler that records every call
 * (lane, attempt, timing, result) and then does what the test's behaviour says.
 */
final class DispatcherHarness implements AutoCloseable {

  /** What the handler does with a message. */
  @FunctionalInterface
  interface Behaviour {
    Outcome handle(Message message) throws Exception;
  }

  /** One handler call; {@code result} is the outcome's simple name, or the exception's. */
  record Call(Message message, int lane, long startNanos, long endNanos, String result) {
    String payload() {
      return message.payloadAsString();
    }
  }

  final EventLog log = new EventLog();
  final FakeSource source = new FakeSource(log);
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final DispatchStats stats = new DispatchStats();
  final SourceFlow flow = new SourceFlow("dispatch", source);
  final Dispatcher dispatcher;

  /** The task's breaker, disabled unless the overrides enable it; reports to {@link #log}. */
  final HandlerBreaker breaker;

  private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
  private boolean drained;

  DispatcherHarness(Map<String, ?> overrides, Behaviour behaviour) {
    this(overrides, source -> {}, behaviour);
  }

  /**
   * @param setup configures the source before the dispatcher reads it (e.g. its touch interval)
   */
  DispatcherHarness(Map<String, ?> overrides, Consumer<FakeSource> setup, Behaviour behaviour) {
    setup.accept(source);
    TaskConfig task = Tasks.task("dispatch", overrides);
    TaskMetrics metrics = new TaskMetrics(registry, task.name(), "fake", "fake-queue", null);
    Dispatcher[] self = new Dispatcher[1];
    MessageHandler handler =
        message -> {
          long start = System.nanoTime();
          int lane = self[0].currentLane();
          try {
            Outcome outcome = behaviour.handle(message);
            calls.add(
                new Call(
                    message,
                    lane,
                    start,
                    System.nanoTime(),
                    outcome == null ? "null" : outcome.getClass().getSimpleName()));
            return outcome;
          } catch (Exception | Error e) {
            calls.add(
                new Call(message, lane, start, System.nanoTime(), e.getClass().getSimpleName()));
            throw e;
          }
        };
    HandlingListener breakerEvents =
        new HandlingListener() {
          @Override
          public void circuitOpened(float rate, int failed, int calls, String lastFailure) {
            log.add("circuitOpened");
          }

          @Override
          public void circuitClosed(long openMillis, int probes) {
            log.add("circuitClosed");
          }
        };
    breaker = HandlerBreaker.of(task.name(), BreakerSettings.of(task), flow, breakerEvents);
    dispatcher = new Dispatcher(task, handler, metrics, flow, stats, breakerEvents, breaker);
    self[0] = dispatcher;
    source.start(dispatcher);
    dispatcher.start();
  }

  static DispatcherHarness acking(Map<String, ?> overrides) {
    return new DispatcherHarness(overrides, m -> Outcome.ack());
  }

  TaskStats taskStats() {
    return stats.snapshot();
  }

  RecordingAcknowledger send(Message message) {
    return source.deliver(message);
  }

  List<Call> calls() {
    return new ArrayList<>(calls);
  }

  /** The lanes the handler ran on, in call order. */
  List<Integer> lanes() {
    return calls().stream().map(Call::lane).toList();
  }

  /** Drains the lanes with a deadline {@code millis} from now; returns the abandoned count. */
  int drain(long millis) {
    drained = true;
    return dispatcher
        .drain(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis), StopMode.DRAIN)
        .abandoned();
  }

  @Override
  public void close() {
    if (!drained) {
      drain(500);
    }
  }
}
