package dev.lanes.runtime;

import static dev.lanes.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lanes.api.HandlerContext;
import dev.lanes.api.Message;
import dev.lanes.api.MessageHandler;
import dev.lanes.api.Outcome;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.metrics.TaskMetrics;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.TransportMeters;
import dev.lanes.testing.EventLog;
import dev.lanes.testing.FakeSource;
import dev.lanes.testing.FakeTransport;
import dev.lanes.testing.Messages;
import dev.lanes.testing.RecordingAcknowledger;
import dev.lanes.testing.Tasks;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TaskRuntimeTest {

  /** The lifecycle events of the fakes, without per-message settlements. */
  private static final List<String> STEPS =
      List.of("handler.open", "start", "stopReceiving", "flush", "handler.close", "close");

  private final EventLog log = new EventLog();
  private final FakeSource source = new FakeSource(log);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<TaskRuntime> runtimes = new ArrayList<>();

  @AfterEach
  void stopAll() {
    runtimes.forEach(TaskRuntime::stop);
  }

  /** A handler that logs open/close to the event log and handles with {@code behaviour}. */
  private class LoggingHandler implements MessageHandler {
    private final Behaviour behaviour;
    volatile HandlerContext context;

    LoggingHandler(Behaviour behaviour) {
      this.behaviour = behaviour;
    }

    @Override
    public void open(HandlerContext context) {
      this.context = context;
      log.add("handler.open");
    }

    @Override
    public Outcome handle(Message message) throws Exception {
      return behaviour.handle(message);
    }

    @Override
    public void close() {
      log.add("handler.close");
    }
  }

  @FunctionalInterface
  private interface Behaviour {
    Outcome handle(Message message) throws Exception;
  }

  private TaskRuntime runtime(Map<String, ?> overrides, MessageHandler handler) {
    TaskConfig task = Tasks.task("rt", overrides);
    TaskRuntime runtime = TaskRuntime.create(task, FakeTransport.of(source), handler, registry);
    runtimes.add(runtime);
    return runtime;
  }

  private List<String> steps() {
    return log.events().stream().filter(STEPS::contains).toList();
  }

  private static long seq(Message message) {
    return (Long) message.field("seq").orElseThrow();
  }

  @Test
  void stopRunsTheShutdownStepsInOrder() {
    TaskRuntime runtime = runtime(Map.of(), new LoggingHandler(m -> Outcome.ack()));
    runtime.start();
    RecordingAcknowledger ack = source.deliver(Messages.order(1, 0));
    eventually().until(ack::isSettled);

    StopReport report = runtime.stop();

    assertThat(steps()).containsExactlyElementsOf(STEPS);
    assertThat(report.clean()).isTrue();
    assertThat(report.abandoned()).isZero();
    assertThat(report.took()).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void aSourceThatFailsStopsTheTaskAfterItsLanesFinishAndTheTaskEndsFailed() {
    CountDownLatch release = new CountDownLatch(1);
    TaskRuntime runtime =
        runtime(
            Map.of("consumerNum", 1),
            new LoggingHandler(
                m -> {
                  release.await();
                  return Outcome.ack();
                }));
    runtime.start();
    List<RecordingAcknowledger> acks =
        List.of(source.deliver(Messages.order(1, 0)), source.deliver(Messages.order(1, 1)));

    source.fail(new IllegalStateException("poll loop died"));
    eventually().until(() -> runtime.state() == TaskState.DRAINING);
    release.countDown();
    eventually().until(() -> runtime.state() == TaskState.FAILED);

    assertThat(acks).allSatisfy(a -> assertThat(a.single().kind()).isEqualTo("ack"));
    assertThat(steps()).containsExactlyElementsOf(STEPS);
    assertThat(runtime.stop().abandoned()).as("a later stop has nothing left to do").isZero();
  }

  @Test
  void handlesAndAcksWhatTheLanesHoldWhenStopBeginsBeforeFlushing() {
    CountDownLatch release = new CountDownLatch(1);
    List<Long> handled = new ArrayList<>();
    TaskRuntime runtime =
        runtime(
            Map.of("consumerNum", 1),
            new LoggingHandler(
                m -> {
                  if (seq(m) == 0) {
                    release.await();
                  }
                  synchronized (handled) {
                    handled.add(seq(m));
                  }
                  return Outcome.ack();
                }));
    source.onStopReceiving(release::countDown);
    runtime.start();
    List<RecordingAcknowledger> acks = new ArrayList<>();
    for (int seq = 0; seq < 5; seq++) {
      acks.add(source.deliver(Messages.order(seq, seq)));
    }
    eventually().until(() -> runtime.laneDepths()[0] == 4);
    assertThat(acks).noneMatch(RecordingAcknowledger::isSettled);

    StopReport report = runtime.stop();

    assertThat(report.clean()).isTrue();
    assertThat(report.abandoned()).isZero();
    assertThat(handled).containsExactly(0L, 1L, 2L, 3L, 4L);
    acks.forEach(a -> assertThat(a.single().kind()).isEqualTo("ack"));
    List<String> events = log.events();
    int stopReceiving = events.indexOf("stopReceiving");
    int flush = events.indexOf("flush");
    List<String> settled = log.startingWith("ack:");
    assertThat(settled).hasSize(5);
    for (String ack : settled) {
      assertThat(events.indexOf(ack)).isBetween(stopReceiving, flush);
    }
    assertThat(runtime.stats().acked()).isEqualTo(5);
    assertThat(runtime.stats().inFlight()).isZero();
  }

  @Test
  void abandonsAHandlerBlockingPastShutdownTimeoutAndLeavesItsDeliveriesUnsettled() {
    CountDownLatch entered = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    TaskRuntime runtime =
        runtime(
            Map.of("consumerNum", 1, "shutdownTimeout", "200ms"),
            new LoggingHandler(
                m -> {
                  entered.countDown();
                  try {
                    TimeUnit.SECONDS.sleep(10);
                  } catch (InterruptedException e) {
                    interrupted.set(true);
                    throw e;
                  }
                  return Outcome.ack();
                }));
    runtime.start();
    List<RecordingAcknowledger> acks = new ArrayList<>();
    for (int seq = 0; seq < 3; seq++) {
      acks.add(source.deliver(Messages.order(seq, seq)));
    }
    eventually().until(() -> entered.getCount() == 0 && runtime.laneDepths()[0] == 2);

    long started = System.nanoTime();
    StopReport report = runtime.stop();
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    assertThat(interrupted).isTrue();
    assertThat(report.clean()).isFalse();
    assertThat(report.abandoned()).isEqualTo(3);
    assertThat(tookMs).isBetween(200L, 1_500L);
    acks.forEach(a -> assertThat(a.settlements()).as("left for the broker").isEmpty());
    assertThat(steps()).containsExactlyElementsOf(STEPS);
    assertThat(runtime.state()).isEqualTo(TaskState.STOPPED);
    assertThat(runtime.stats().inFlight()).isEqualTo(3);
  }

  @Test
  void handsParkedRetriesBackToTheBrokerAtStopAndLeavesTheirFollowersUnsettled() {
    TaskRuntime runtime =
        runtime(
            Map.of("consumerNum", 1, "deliverBy", "order_id", "shutdownTimeout", "300ms"),
            new LoggingHandler(
                m -> seq(m) == 0 ? Outcome.retry(Duration.ofSeconds(10)) : Outcome.ack()));
    runtime.start();
    RecordingAcknowledger parked = source.deliver(Messages.order(1, 0));
    RecordingAcknowledger behind = source.deliver(Messages.order(1, 1));
    RecordingAcknowledger other = source.deliver(Messages.order(2, 2));
    eventually().until(other::isSettled);
    assertThat(runtime.laneDepths()).containsExactly(1);

    StopReport report = runtime.stop();

    assertThat(parked.single().kind()).isEqualTo("retry");
    assertThat(parked.single().delay()).isBetween(Duration.ofSeconds(9), Duration.ofSeconds(10));
    assertThat(parked.single().attempt()).as("the attempt it comes back as").isEqualTo(2);
    assertThat(behind.settlements()).isEmpty();
    assertThat(other.single().kind()).isEqualTo("ack");
    assertThat(report.clean()).isFalse();
    assertThat(report.abandoned()).isEqualTo(1);
    assertThat(report.took()).isLessThan(Duration.ofSeconds(2));
    List<String> events = log.events();
    assertThat(events.stream().filter(e -> e.startsWith("retry:")).map(events::indexOf))
        .allMatch(i -> i < events.indexOf("flush"));
  }

  @Test
  void movesThroughTheLifecycleStatesInOrder() {
    AtomicReference<TaskRuntime> self = new AtomicReference<>();
    List<TaskState> seen = new ArrayList<>();
    source.onStart(() -> seen.add(self.get().state()));
    source.onStopReceiving(() -> seen.add(self.get().state()));
    TaskRuntime runtime = runtime(Map.of(), new LoggingHandler(m -> Outcome.ack()));
    self.set(runtime);

    seen.add(runtime.state());
    assertThat(runtime.isReady()).isFalse();
    runtime.start();
    seen.add(runtime.state());
    assertThat(runtime.isReady()).isTrue();
    Gauge state = registry.find(TaskMetrics.TASK_STATE).gauge();
    assertThat(state).isNotNull();
    assertThat(state.value()).isEqualTo(TaskState.RUNNING.code());
    runtime.stop();
    seen.add(runtime.state());

    assertThat(seen)
        .containsExactly(
            TaskState.NEW,
            TaskState.STARTING,
            TaskState.RUNNING,
            TaskState.DRAINING,
            TaskState.STOPPED);
    assertThat(runtime.isReady()).isFalse();
  }

  @Test
  void aSourceThatCannotStartIsReadyFailedAndEverythingOpenedIsClosed() {
    source.onStart(
        () -> {
          throw new IllegalStateException("broker down");
        });
    TaskRuntime runtime = runtime(Map.of(), new LoggingHandler(m -> Outcome.ack()));

    assertThatThrownBy(runtime::start)
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("task 'rt'")
        .hasMessageContaining("broker down")
        .hasCauseInstanceOf(IllegalStateException.class);

    assertThat(runtime.state()).isEqualTo(TaskState.FAILED);
    assertThat(steps()).containsExactly("handler.open", "start", "handler.close", "close");
    assertThat(registry.getMeters()).as("the task's meters are removed").isEmpty();
    assertThat(runtime.stop().clean()).isTrue();
    assertThat(steps()).hasSize(4);
  }

  @Test
  void aReadyFailedFromTheSourceIsRethrownAsItIs() {
    ReadyFailedException unreachable = new ReadyFailedException("nsqd 127.0.0.1:4150 unreachable");
    source.onStart(
        () -> {
          throw unreachable;
        });
    TaskRuntime runtime = runtime(Map.of(), new LoggingHandler(m -> Outcome.ack()));
    assertThatThrownBy(runtime::start).isSameAs(unreachable);
    assertThat(runtime.state()).isEqualTo(TaskState.FAILED);
  }

  static final class FailingOpenHandler implements MessageHandler {
    final AtomicBoolean closed = new AtomicBoolean();
    final AtomicBoolean handled = new AtomicBoolean();

    @Override
    public void open(HandlerContext context) throws IOException {
      throw new IOException("records.csv: no such file");
    }

    @Override
    public Outcome handle(Message message) {
      handled.set(true);
      return Outcome.ack();
    }

    @Override
    public void close() {
      closed.set(true);
    }
  }

  @Test
  void aHandlerThatCannotOpenIsReadyFailedNamingItsClass() {
    FailingOpenHandler handler = new FailingOpenHandler();
    TaskRuntime runtime = runtime(Map.of(), handler);

    assertThatThrownBy(runtime::start)
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("task 'rt'")
        .hasMessageContaining(FailingOpenHandler.class.getName())
        .hasMessageContaining("failed to open")
        .hasMessageContaining("records.csv: no such file")
        .hasCauseInstanceOf(IOException.class);

    assertThat(runtime.state()).isEqualTo(TaskState.FAILED);
    assertThat(log.events()).as("never subscribed, but closed").containsExactly("close");
    assertThat(handler.closed).as("close only follows a successful open").isFalse();
    assertThat(handler.handled).isFalse();
  }

  @Test
  void aTransportThatCannotOpenItsSourceIsReadyFailedBeforeTheHandlerOpens() {
    ReadyFailedException invalid =
        new ReadyFailedException("development.conf: task 'rt': nsq.topic: expected a string");
    LoggingHandler handler = new LoggingHandler(m -> Outcome.ack());
    TaskRuntime runtime =
        TaskRuntime.create(
            Tasks.task("rt", Map.of()),
            new FakeTransport(
                task -> {
                  throw invalid;
                }),
            handler,
            registry);

    assertThatThrownBy(runtime::start).isSameAs(invalid);
    assertThat(runtime.state()).isEqualTo(TaskState.FAILED);
    assertThat(log.events()).isEmpty();
  }

  @Test
  void aSecondStopIsANoOp() {
    TaskRuntime runtime = runtime(Map.of(), new LoggingHandler(m -> Outcome.ack()));
    runtime.start();
    runtime.stop();
    List<String> afterFirst = log.events();

    StopReport second = runtime.stop();
    runtime.close();

    assertThat(second).isEqualTo(new StopReport(true, 0, 0, 0, Duration.ZERO));
    assertThat(log.events()).isEqualTo(afterFirst);
    assertThat(runtime.state()).isEqualTo(TaskState.STOPPED);
  }

  @Test
  void stopBeforeStartDoesNothingAndASecondStartIsRefused() {
    TaskRuntime idle = runtime(Map.of(), new LoggingHandler(m -> Outcome.ack()));
    assertThat(idle.stop()).isEqualTo(new StopReport(true, 0, 0, 0, Duration.ZERO));
    assertThat(idle.state()).isEqualTo(TaskState.NEW);
    assertThat(log.events()).isEmpty();

    idle.start();
    assertThatThrownBy(idle::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("rt");
    assertThat(idle.state()).isEqualTo(TaskState.RUNNING);
  }

  @Test
  void givesTheHandlerItsTaskLaneCountAndCurrentLane() {
    List<Integer> lanes = new ArrayList<>();
    AtomicReference<LoggingHandler> self = new AtomicReference<>();
    LoggingHandler handler =
        new LoggingHandler(
            m -> {
              synchronized (lanes) {
                lanes.add(self.get().context.currentLane());
              }
              return Outcome.ack();
            });
    self.set(handler);
    TaskRuntime runtime =
        runtime(Map.of("consumerNum", 3, "deliverBy", "order_id", "custom.key", "v"), handler);
    runtime.start();

    HandlerContext context = handler.context;
    assertThat(context.taskName()).isEqualTo("rt");
    assertThat(context.laneCount()).isEqualTo(3);
    assertThat(context.currentLane()).as("not a lane thread").isEqualTo(-1);
    assertThat(context.config().getString("custom.key")).isEqualTo("v");
    assertThat(context.meterRegistry()).isSameAs(registry);

    RecordingAcknowledger a = source.deliver(Messages.order(4, 0));
    RecordingAcknowledger b = source.deliver(Messages.order(2, 1));
    eventually().until(() -> a.isSettled() && b.isSettled());
    assertThat(lanes).containsExactlyInAnyOrder(1, 2);
  }

  @Test
  void isReadyOnlyWhileRunningWithItsSourceConnected() {
    TaskRuntime runtime = runtime(Map.of(), new LoggingHandler(m -> Outcome.ack()));
    assertThat(runtime.isReady()).isFalse();
    runtime.start();
    assertThat(runtime.isReady()).isTrue();
    source.connected(false);
    assertThat(runtime.isReady()).isFalse();
    source.connected(true);
    assertThat(runtime.isReady()).isTrue();
    runtime.stop();
    assertThat(runtime.isReady()).isFalse();
  }

  @Test
  void reportsTheSourceBacklogAsAGauge() {
    TaskRuntime runtime = runtime(Map.of(), new LoggingHandler(m -> Outcome.ack()));
    assertThat(runtime.backlog()).isEmpty();
    runtime.start();
    Gauge backlog = registry.find(TaskMetrics.BACKLOG).tag("lanes.task", "rt").gauge();
    assertThat(backlog).isNotNull();
    assertThat(backlog.value()).as("unknown").isNaN();
    source.backlog(42);
    assertThat(runtime.backlog()).hasValue(42);
    assertThat(backlog.value()).isEqualTo(42.0);
  }

  @Test
  void reportsOwnedPartitionsSortedAndTheirCountAsAGauge() {
    source.owns("orders-1", "orders-0");
    TaskRuntime runtime = runtime(Map.of(), new LoggingHandler(m -> Outcome.ack()));
    runtime.start();
    Gauge owned = registry.find(TaskMetrics.PARTITIONS_OWNED).tag("lanes.task", "rt").gauge();
    assertThat(owned).isNotNull();
    assertThat(owned.value()).isEqualTo(2.0);
    assertThat(runtime.ownedPartitions().orElseThrow()).containsExactly("orders-0", "orders-1");
    source.owns();
    assertThat(owned.value()).as("after a rebalance took them all").isZero();
  }

  @Test
  void hasNoOwnedPartitionsGaugeForASourceWithoutPartitions() {
    TaskRuntime runtime = runtime(Map.of(), new LoggingHandler(m -> Outcome.ack()));
    runtime.start();
    assertThat(runtime.ownedPartitions()).isEmpty();
    assertThat(registry.find(TaskMetrics.PARTITIONS_OWNED).gauge()).isNull();
  }

  /**
   * The runtime registers the shared transport counters from what the source reports, with the
   * task's tags, reads them at each scrape, and removes them at stop, so a pipeline restarted on a
   * new source does not keep reading the old one.
   */
  @Test
  void registersTheSourcesReconnectsAndRedeliveriesAndRemovesThemAtStop() {
    source.counts(1, 3);
    TaskRuntime runtime = runtime(Map.of(), new LoggingHandler(m -> Outcome.ack()));
    runtime.start();
    FunctionCounter reconnects =
        registry.find(TransportMeters.RECONNECTS).tag("lanes.task", "rt").functionCounter();
    FunctionCounter redeliveries =
        registry.find(TransportMeters.REDELIVERIES).tag("lanes.task", "rt").functionCounter();
    assertThat(reconnects).isNotNull();
    assertThat(redeliveries).isNotNull();
    source.counts(2, 5);
    assertThat(reconnects.count()).isEqualTo(2.0);
    assertThat(redeliveries.count()).isEqualTo(5.0);

    runtime.stop();
    assertThat(registry.find(TransportMeters.RECONNECTS).meter()).isNull();
    assertThat(registry.find(TransportMeters.REDELIVERIES).meter()).isNull();
  }

  @Test
  void registersNoTransportCounterForASourceThatReportsNone() {
    TaskRuntime runtime = runtime(Map.of(), new LoggingHandler(m -> Outcome.ack()));
    runtime.start();
    assertThat(registry.find(TransportMeters.RECONNECTS).meter()).isNull();
    assertThat(registry.find(TransportMeters.REDELIVERIES).meter()).isNull();
  }
}
