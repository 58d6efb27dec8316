package dev.lanes.runtime;

import dev.lanes.api.MessageHandler;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.dispatch.BreakerSettings;
import dev.lanes.dispatch.DispatchStats;
import dev.lanes.dispatch.Dispatcher;
import dev.lanes.dispatch.HandlerBreaker;
import dev.lanes.dispatch.HandlingListener;
import dev.lanes.dispatch.SourceFlow;
import dev.lanes.dispatch.TaskStats;
import dev.lanes.metrics.TaskMetrics;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.Source;
import dev.lanes.spi.StopMode;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.Transport;
import dev.lanes.spi.TransportContext;
import dev.lanes.spi.TransportMeters;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one task: a transport's source feeding a handler through the lanes, with the lifecycle and
 * the ordered stop of the design.
 *
 * <p>{@link #start()} either reaches {@code RUNNING} or throws {@link ReadyFailedException} with
 * nothing consumed. {@link #stop()} runs the shutdown protocol within {@code shutdownTimeout}: stop
 * receiving, let the lanes finish what they hold, flush acks/commits, stop the lanes (leaving
 * whatever did not finish unacked for the broker to redeliver), close the connection. Thread-safe;
 * start and stop are called once each.
 */
public final class TaskRuntime implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TaskRuntime.class);

  private volatile TaskConfig task;
  private final Transport transport;
  private final MessageHandler handler;
  private final MeterRegistry registry;
  private final HandlingListener listener;
  private final Lifecycle lifecycle;
  private final DispatchStats stats = new DispatchStats();
  private volatile SwitchingSink sink;
  private volatile Source source;
  private volatile SourceFlow flow;
  private volatile Dispatcher dispatcher;
  private volatile HandlerBreaker breaker = HandlerBreaker.disabled();
  private volatile TaskMetrics metrics;
  private boolean handlerOpen;
  private volatile Throwable sourceFailure;

  private TaskRuntime(
      TaskConfig task,
      Transport transport,
      MessageHandler handler,
      MeterRegistry registry,
      HandlingListener listener) {
    this.task = task;
    this.transport = transport;
    this.handler = handler;
    this.registry = registry;
    this.listener = listener;
    this.lifecycle = new Lifecycle(task.name());
  }

  /** A runtime in state {@code NEW}; nothing is connected until {@link #start()}. */
  public static TaskRuntime create(
      TaskConfig task, Transport transport, MessageHandler handler, MeterRegistry registry) {
    return new TaskRuntime(task, transport, handler, registry, HandlingListener.NONE);
  }

  /**
   * A runtime in state {@code NEW} whose handler calls and dead letters are reported to {@code
   * listener} (the runner's alerts use this).
   */
  public static TaskRuntime create(
      TaskConfig task,
      Transport transport,
      MessageHandler handler,
      MeterRegistry registry,
      HandlingListener listener) {
    return new TaskRuntime(task, transport, handler, registry, listener);
  }

  /**
   * A publisher to {@code config}'s destination on this task's transport, counting what it
   * publishes and what fails on this task's meters ({@link MeteredPublisher}).
   *
   * @throws ReadyFailedException when the config is invalid or the broker is unreachable
   */
  public Publisher openPublisher(TaskConfig config) {
    return MeteredPublisher.open(transport, contextFor(config));
  }

  private TransportContext contextFor(TaskConfig config) {
    return TransportContext.of(
        config,
        registry,
        Tags.of("lanes.task", config.name(), "messaging.system", transport.messagingSystem()));
  }

  /**
   * Connects, opens the handler and starts consuming.
   *
   * @throws ReadyFailedException when the task cannot start; nothing was consumed
   */
  public synchronized void start() {
    if (!lifecycle.move(TaskState.NEW, TaskState.STARTING)) {
      throw new IllegalStateException("task " + task.name() + " was already started");
    }
    try {
      source = transport.openSource(contextFor(task));
      metrics =
          new TaskMetrics(
              registry,
              task.name(),
              transport.messagingSystem(),
              source.destinationName(),
              source.consumerGroup().orElse(null));
      flow = new SourceFlow(task.name(), source);
      breaker = HandlerBreaker.of(task.name(), BreakerSettings.of(task), flow, listener);
      registerTaskGauges();
      openHandler();
      dispatcher = new Dispatcher(task, handler, metrics, flow, stats, listener, breaker);
      dispatcher.start();
      sink = new SwitchingSink(dispatcher, this::sourceFailed);
      source.start(sink);
      lifecycle.move(TaskState.STARTING, TaskState.RUNNING);
      if (sourceFailure != null) {
        stopAfterSourceFailure(); // it failed while the task was still starting
      }
    } catch (RuntimeException e) {
      lifecycle.fail();
      abortStart();
      throw e instanceof ReadyFailedException ready
          ? ready
          : new ReadyFailedException("task '" + task.name() + "' could not start: " + e, e);
    }
  }

  private void registerTaskGauges() {
    metrics.gauge(
        TransportMeters.CONNECTED,
        "1 while the source is connected to its broker, else 0",
        source,
        s -> s.isConnected() ? 1 : 0);
    metrics.gauge(
        TaskMetrics.TASK_STATE,
        "Task lifecycle state code (see TaskState)",
        lifecycle,
        l -> l.get().code());
    metrics.gauge(
        TaskMetrics.SOURCE_PAUSED,
        "1 while the source is paused because a lane is full (or the lanes are re-sharded), else 0",
        flow,
        f -> f.isPaused() ? 1 : 0);
    metrics.gauge(
        TaskMetrics.BREAKER_STATE,
        "Circuit breaker of the handler: 0 closed, 1 open (intake paused), 2 half-open (probing)",
        breaker,
        b -> b.state().code());
    metrics.gauge(
        TaskMetrics.INFLIGHT,
        "Deliveries received and not settled",
        stats,
        DispatchStats::inFlight);
    metrics.gauge(
        TaskMetrics.BACKLOG,
        "Messages waiting on the broker for this task",
        this,
        r -> r.backlog().isPresent() ? r.backlog().getAsLong() : Double.NaN);
    if (source.ownedPartitions().isPresent()) {
      metrics.gauge(
          TaskMetrics.PARTITIONS_OWNED,
          "Partitions of the destination this runner owns (Kafka partitions assigned, partition"
              + " queues it is the active consumer of)",
          this,
          r -> r.ownedPartitions().map(Set::size).orElse(0));
    }
    if (source.reconnects().isPresent()) {
      metrics.counter(
          TransportMeters.RECONNECTS,
          "Times the source reconnected or resubscribed after losing its broker",
          source,
          s -> s.reconnects().orElse(0));
    }
    if (source.redeliveries().isPresent()) {
      metrics.counter(
          TransportMeters.REDELIVERIES,
          "Deliveries the broker hands out again because the source lost them (connection or"
              + " channel lost, partition revoked, lease ran out), not because a handler asked",
          source,
          s -> s.redeliveries().orElse(0));
    }
  }

  private void openHandler() {
    try {
      handler.open(new LaneHandlerContext(task, registry, () -> dispatcher));
      handlerOpen = true;
    } catch (Exception e) {
      throw new ReadyFailedException(
          "task '"
              + task.name()
              + "': handler "
              + handler.getClass().getName()
              + " failed to open: "
              + e,
          e);
    }
  }

  private void abortStart() {
    if (dispatcher != null) {
      // nothing was consumed: the idle lanes end at once on their stop marker
      quietly(
          "stop lanes",
          () -> dispatcher.drain(System.nanoTime() + TimeUnit.SECONDS.toNanos(2), StopMode.DRAIN));
    }
    closeHandler();
    if (source != null) {
      quietly("close source", source::close);
    }
    if (metrics != null) {
      metrics.close();
    }
  }

  /** A source that can deliver no more: stop the task on a thread of its own and end FAILED. */
  private void sourceFailed(Throwable cause) {
    if (sourceFailure != null) {
      return;
    }
    sourceFailure = cause;
    log.error(
        "task {}: its {} source failed and cannot recover: {}; stopping the task",
        task.name(),
        transport.name(),
        cause.toString());
    if (lifecycle.get() == TaskState.RUNNING) {
      stopAfterSourceFailure();
    }
  }

  private void stopAfterSourceFailure() {
    Thread stopper = new Thread(this::stop, "lanes-" + task.name() + "-failure");
    stopper.setDaemon(true);
    stopper.start();
  }

  /** What {@link #update} did. */
  public enum UpdateResult {
    /** The new settings are in effect in this runtime. */
    APPLIED,
    /** The change needs a new subscription: stop this runtime and start one with the new config. */
    RESTART_REQUIRED
  }

  /**
   * Applies a new config to the running task when it can be done live (lanes, queue bounds,
   * routing, retry policy, timeouts): intake is paused, the current lanes finish what they hold (so
   * every key's earlier messages are done before its later ones start on the new lanes), then new
   * lanes take over and intake resumes. Nothing is dropped or redelivered.
   *
   * @return {@link UpdateResult#RESTART_REQUIRED}, changing nothing, when the subscription, handler
   *     or breaker settings changed, or while the circuit breaker is not closed
   */
  public UpdateResult update(TaskConfig next) {
    return update(next, Set.of());
  }

  /**
   * The config paths whose change from the running config to {@code next} only a restart applies
   * (with {@code callerLiveKeys} as in {@link #update(TaskConfig, Collection)}), sorted; empty when
   * {@code next} differs in live keys only. For telling an operator why an update restarts.
   */
  public List<String> changesNeedingRestart(TaskConfig next, Collection<String> callerLiveKeys) {
    return LiveChanges.needingRestart(task(), next, callerLiveKeys);
  }

  /**
   * {@link #update(TaskConfig)} where the caller applies {@code callerLiveKeys} (top-level keys or
   * sections of its own, e.g. the runner's {@code alerts}) live itself: a change to them alone does
   * not require a restart. Core knows only its own keys; any other changed key does.
   */
  public synchronized UpdateResult update(TaskConfig next, Collection<String> callerLiveKeys) {
    if (lifecycle.get() != TaskState.RUNNING) {
      throw new IllegalStateException(
          "task " + task.name() + " is " + lifecycle.get() + ", not RUNNING");
    }
    if (LiveChanges.needRestart(task, next, callerLiveKeys)
        || breaker.state() != HandlerBreaker.State.CLOSED) {
      // lanes the breaker holds back cannot drain: a restart leaves their messages to redelivery
      return UpdateResult.RESTART_REQUIRED;
    }
    Dispatcher old = dispatcher;
    flow.hold();
    metrics.removeLaneGauges();
    Dispatcher fresh = new Dispatcher(next, handler, metrics, flow, stats, listener, breaker);
    sink.switchTo(fresh);
    long budget =
        next.retry().parkLimit().plus(next.handlerTimeout()).plus(next.shutdownTimeout()).toNanos();
    // a live change keeps the source open: only a drain leaves nothing unsettled behind it
    int abandoned = old.drain(System.nanoTime() + budget, StopMode.DRAIN).abandoned();
    if (abandoned > 0) {
      log.error(
          "task {}: {} deliveries could not finish while re-sharding; the broker redelivers"
              + " them once the connection is renewed",
          task.name(),
          abandoned);
    }
    dispatcher = fresh;
    task = next;
    fresh.start();
    flow.release();
    log.info(
        "task {}: now {} lanes, channelLength {}, deliverBy '{}', routing {}",
        next.name(),
        next.consumerNum(),
        next.channelLength(),
        next.deliverBy(),
        next.routing());
    return UpdateResult.APPLIED;
  }

  /**
   * Runs the shutdown protocol in the task's {@link StopMode} (its {@code stopMode}, else the
   * transport's default). Safe to call more than once and while handlers block: later calls return
   * at once with an empty report.
   */
  public synchronized StopReport stop() {
    long started = System.nanoTime();
    if (!lifecycle.move(TaskState.RUNNING, TaskState.DRAINING)) {
      return StopReport.nothingToDo();
    }
    long deadline = started + task.shutdownTimeout().toNanos();
    StopMode mode = stopMode();
    Dispatcher.Drained[] drained = {new Dispatcher.Drained(0, 0, 0)};
    try {
      quietly("stop receiving", source::stopReceiving);
      quietly("drain lanes", () -> drained[0] = dispatcher.drain(deadline, mode));
      quietly("flush acknowledgements", source::flush);
      closeHandler();
      quietly("close source", source::close);
    } finally {
      lifecycle.move(
          TaskState.DRAINING, sourceFailure == null ? TaskState.STOPPED : TaskState.FAILED);
      metrics.close();
    }
    Dispatcher.Drained d = drained[0];
    StopReport report =
        new StopReport(
            d.abandoned() == 0,
            d.finished(),
            d.released(),
            d.abandoned(),
            Duration.ofNanos(System.nanoTime() - started));
    if (report.clean()) {
      log.info(
          "task {}: stopped cleanly in {} ms ({}; stopMode {})",
          task.name(),
          report.took().toMillis(),
          report.counts(),
          mode);
    } else {
      log.warn(
          "task {}: stopped in {} ms with {} deliveries left unacked for redelivery ({}; stopMode"
              + " {})",
          task.name(),
          report.took().toMillis(),
          report.abandoned(),
          report.counts(),
          mode);
    }
    return report;
  }

  /** The stop mode in effect: the task's {@code stopMode}, else its transport's default. */
  public StopMode stopMode() {
    return task.stopModeOn(transport);
  }

  @Override
  public void close() {
    stop();
  }

  private void closeHandler() {
    if (handlerOpen) {
      handlerOpen = false;
      quietly("close handler", handler::close);
    }
  }

  private void quietly(String step, ThrowingRunnable action) {
    try {
      action.run();
    } catch (Exception e) {
      log.error("task {}: could not {}: {}", task.name(), step, e.toString(), e);
    }
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  public TaskState state() {
    return lifecycle.get();
  }

  public TaskConfig task() {
    return task;
  }

  /** Counters since start; all zero before it. */
  public TaskStats stats() {
    return stats.snapshot();
  }

  /** How often the source was paused and how many lost resumes the watchdog had to repair. */
  public SourceFlow.Stats flowStats() {
    SourceFlow f = flow;
    return f == null ? new SourceFlow.Stats(0, 0) : f.stats();
  }

  /** The circuit breaker's state, or empty when {@code breaker.enabled} is false. */
  public Optional<HandlerBreaker.State> breakerState() {
    HandlerBreaker b = breaker;
    return b.enabled() ? Optional.of(b.state()) : Optional.empty();
  }

  /** Messages waiting on the broker, when the transport knows. */
  public OptionalLong backlog() {
    Source s = source;
    try {
      return s == null ? OptionalLong.empty() : s.backlog();
    } catch (RuntimeException e) {
      log.debug("task {}: backlog unavailable: {}", task.name(), e.toString());
      return OptionalLong.empty();
    }
  }

  /**
   * The partitions of the destination this task's source owns right now, sorted; empty when the
   * transport has none to own (see {@link Source#ownedPartitions()}).
   */
  public Optional<SortedSet<String>> ownedPartitions() {
    Source s = source;
    try {
      return s == null
          ? Optional.empty()
          : s.ownedPartitions().map(p -> Collections.unmodifiableSortedSet(new TreeSet<>(p)));
    } catch (RuntimeException e) {
      log.debug("task {}: owned partitions unavailable: {}", task.name(), e.toString());
      return Optional.empty();
    }
  }

  /** Whether the task is running and its source connected (readiness). */
  public boolean isReady() {
    Source s = source;
    return lifecycle.get() == TaskState.RUNNING && s != null && s.isConnected();
  }

  /** Deliveries queued per lane, for status displays. */
  public int[] laneDepths() {
    Dispatcher d = dispatcher;
    if (d == null) {
      return new int[0];
    }
    int[] depths = new int[d.laneCount()];
    for (int i = 0; i < depths.length; i++) {
      depths[i] = d.depth(i);
    }
    return depths;
  }
}
