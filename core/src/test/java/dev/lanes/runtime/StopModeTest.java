package dev.lanes.runtime;

import static dev.lanes.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lanes.api.Message;
import dev.lanes.api.MessageHandler;
import dev.lanes.api.Outcome;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.Source;
import dev.lanes.spi.StopMode;
import dev.lanes.spi.Transport;
import dev.lanes.spi.TransportContext;
import dev.lanes.testing.EventLog;
import dev.lanes.testing.FakeSource;
import dev.lanes.testing.Messages;
import dev.lanes.testing.RecordingAcknowledger;
import dev.lanes.testing.Tasks;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a graceful stop does with queued, un-started deliveries in each {@link StopMode}. */
class StopModeTest {

  private final EventLog log = new EventLog();
  private final FakeSource source = new FakeSource(log);
  private final List<TaskRuntime> runtimes = new ArrayList<>();

  @AfterEach
  void stopAll() {
    runtimes.forEach(TaskRuntime::stop);
  }

  /** A transport handing out the test's source, with the given default stop mode. */
  private Transport transport(StopMode defaultMode) {
    return new Transport() {
      @Override
      public String name() {
        return "fake";
      }

      @Override
      public StopMode defaultStopMode() {
        return defaultMode;
      }

      @Override
      public Source openSource(TransportContext context) {
        return source;
      }

      @Override
      public Publisher openPublisher(TransportContext context) {
        throw new UnsupportedOperationException();
      }
    };
  }

  private TaskRuntime runtime(
      Map<String, ?> overrides, StopMode transportDefault, MessageHandler handler) {
    TaskRuntime runtime =
        TaskRuntime.create(
            Tasks.task("stop", overrides),
            transport(transportDefault),
            handler,
            new SimpleMeterRegistry());
    runtimes.add(runtime);
    return runtime;
  }

  private static long seq(Message m) {
    return (Long) m.field("seq").orElseThrow();
  }

  private static long order(Message m) {
    return (Long) m.field("order_id").orElseThrow();
  }

  @Test
  void finishRunningReleasesEveryQueuedDeliveryAtOnceAndLetsTheRunningCallsFinish() {
    CountDownLatch running = new CountDownLatch(2);
    ConcurrentLinkedQueue<Message> handled = new ConcurrentLinkedQueue<>();
    TaskRuntime runtime =
        runtime(
            Map.of("consumerNum", 2, "deliverBy", "order_id"),
            StopMode.FINISH_RUNNING, // the transport's default
            m -> {
              running.countDown();
              TimeUnit.MILLISECONDS.sleep(300);
              handled.add(m);
              return Outcome.ack();
            });
    runtime.start();
    Map<String, RecordingAcknowledger> acks = new HashMap<>();
    for (int seq = 0; seq < 20; seq++) {
      for (long order = 0; order < 2; order++) {
        acks.put(order + "/" + seq, source.deliver(Messages.order(order, seq)));
      }
    }
    eventually().until(() -> running.getCount() == 0);

    StopReport report = stopIn(runtime, StopMode.FINISH_RUNNING);

    assertThat(report.took()).as("one handler call, not 20").isLessThan(Duration.ofMillis(1_500));
    assertThat(report.clean()).isTrue();
    assertThat(report.abandoned()).isZero();
    assertThat(report.finished() + report.released()).isEqualTo(40);
    assertThat(report.finished()).as("the calls running when the stop began").isBetween(2, 4);
    for (long order = 0; order < 2; order++) {
      long key = order;
      List<Long> done = handled.stream().filter(m -> order(m) == key).map(m -> seq(m)).toList();
      assertThat(done).as("handled in order, from the first").isEqualTo(range(0, done.size()));
      for (int seq = 0; seq < 20; seq++) {
        String kind = acks.get(key + "/" + seq).single().kind();
        assertThat(kind)
            .as("key %d seq %d", key, seq)
            .isEqualTo(seq < done.size() ? "ack" : "release");
      }
    }
    List<String> events = log.events();
    assertThat(log.startingWith("release:"))
        .allMatch(e -> events.indexOf(e) < events.indexOf("close"));
    assertThat(runtime.stats().inFlight()).isZero();
  }

  @Test
  void drainHandlesEverythingReceivedBeforeTheStopEnds() {
    TaskRuntime runtime =
        runtime(
            Map.of("consumerNum", 1, "deliverBy", "order_id", "stopMode", "drain"),
            StopMode.FINISH_RUNNING,
            m -> {
              TimeUnit.MILLISECONDS.sleep(20);
              return Outcome.ack();
            });
    runtime.start();
    List<RecordingAcknowledger> acks = new ArrayList<>();
    for (int seq = 0; seq < 10; seq++) {
      acks.add(source.deliver(Messages.order(1, seq)));
    }

    StopReport report = stopIn(runtime, StopMode.DRAIN);

    assertThat(report).isEqualTo(new StopReport(true, 10, 0, 0, report.took()));
    acks.forEach(a -> assertThat(a.single().kind()).isEqualTo("ack"));
  }

  @Test
  void finishRunningHandsParkedRetriesBackAndReleasesTheMessagesWaitingBehindThem() {
    TaskRuntime runtime =
        runtime(
            Map.of("consumerNum", 1, "deliverBy", "order_id", "stopMode", "finish-running"),
            StopMode.DRAIN,
            m -> seq(m) == 0 ? Outcome.retry(Duration.ofSeconds(10)) : Outcome.ack());
    runtime.start();
    RecordingAcknowledger parked = source.deliver(Messages.order(1, 0));
    RecordingAcknowledger behind = source.deliver(Messages.order(1, 1));
    RecordingAcknowledger other = source.deliver(Messages.order(2, 2));
    eventually().until(other::isSettled);

    StopReport report = runtime.stop();

    assertThat(parked.single().kind()).isEqualTo("retry");
    assertThat(parked.single().delay()).isBetween(Duration.ofSeconds(9), Duration.ofSeconds(10));
    assertThat(parked.single().attempt()).isEqualTo(2);
    assertThat(behind.single().kind()).isEqualTo("release");
    assertThat(report.clean()).isTrue();
    assertThat(report.released()).isEqualTo(1);
    assertThat(report.finished()).as("the hand-back").isEqualTo(1);
    assertThat(report.took()).isLessThan(Duration.ofSeconds(1));
  }

  @Test
  void aRunningCallThatMissesTheDeadlineIsStillAbandonedWhileTheQueueIsReleased() {
    CountDownLatch entered = new CountDownLatch(1);
    TaskRuntime runtime =
        runtime(
            Map.of("consumerNum", 1, "shutdownTimeout", "300ms", "stopMode", "finish-running"),
            StopMode.DRAIN,
            m -> {
              entered.countDown();
              TimeUnit.SECONDS.sleep(10);
              return Outcome.ack();
            });
    runtime.start();
    RecordingAcknowledger stuck = source.deliver(Messages.order(1, 0));
    RecordingAcknowledger queued = source.deliver(Messages.order(1, 1));
    eventually().until(() -> entered.getCount() == 0);

    StopReport report = runtime.stop();

    assertThat(report.clean()).isFalse();
    assertThat(report.abandoned()).isEqualTo(1);
    assertThat(report.released()).isEqualTo(1);
    assertThat(stuck.settlements()).isEmpty();
    assertThat(queued.single().kind()).isEqualTo("release");
  }

  @Test
  void aTaskWithoutStopModeGetsItsTransportsDefaultAndItsOwnSettingWins() {
    MessageHandler ack = m -> Outcome.ack();
    assertThat(runtime(Map.of(), StopMode.FINISH_RUNNING, ack).stopMode())
        .isEqualTo(StopMode.FINISH_RUNNING);
    assertThat(runtime(Map.of(), StopMode.DRAIN, ack).stopMode()).isEqualTo(StopMode.DRAIN);
    assertThat(runtime(Map.of("stopMode", "drain"), StopMode.FINISH_RUNNING, ack).stopMode())
        .isEqualTo(StopMode.DRAIN);
    assertThat(runtime(Map.of("stopMode", "Finish-Running"), StopMode.DRAIN, ack).stopMode())
        .isEqualTo(StopMode.FINISH_RUNNING);
  }

  @Test
  void anUnknownStopModeIsReadyFailedNamingTheKey() {
    assertThatThrownBy(() -> Tasks.task("stop", Map.of("stopMode", "fast")))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("stopMode")
        .hasMessageContaining("finish-running, drain or empty")
        .hasMessageContaining("fast");
  }

  /** Stops {@code runtime}, which must be in {@code mode}. */
  private static StopReport stopIn(TaskRuntime runtime, StopMode mode) {
    assertThat(runtime.stopMode()).isEqualTo(mode);
    return runtime.stop();
  }

  private static List<Long> range(long from, long to) {
    List<Long> all = new ArrayList<>();
    for (long i = from; i < to; i++) {
      all.add(i);
    }
    return all;
  }
}
