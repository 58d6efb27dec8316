package dev.lanes.dispatch;

import static dev.lanes.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.api.Message;
import dev.lanes.api.Outcome;
import dev.lanes.dispatch.DispatcherHarness.Call;
import dev.lanes.dispatch.HandlerBreaker.State;
import dev.lanes.testing.Messages;
import dev.lanes.testing.RecordingAcknowledger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The circuit breaker around a task's handler, driven through a dispatcher on a fake source. */
class HandlerBreakerTest {

  private static Map<String, Object> breaker(Object... more) {
    Map<String, Object> config = new HashMap<>();
    config.put("consumerNum", 2);
    config.put("deliverBy", "order_id");
    config.put("retry.initialDelay", "20ms");
    config.put("retry.multiplier", 1);
    config.put("breaker.enabled", true);
    config.put("breaker.minimumCalls", 4);
    config.put("breaker.failureRate", 50);
    config.put("breaker.window", "10s");
    config.put("breaker.openFor", "300ms");
    for (int i = 0; i < more.length; i += 2) {
      config.put((String) more[i], more[i + 1]);
    }
    return config;
  }

  /** The breaker's state when each call started, by message id and attempt. */
  private static final class States {
    final Map<String, State> atStart = new ConcurrentHashMap<>();
    final AtomicReference<DispatcherHarness> harness = new AtomicReference<>();

    void seen(Message m) {
      atStart.put(m.id() + "#" + m.attempt(), harness.get().breaker.state());
    }

    State of(Call call) {
      return atStart.get(call.message().id() + "#" + call.message().attempt());
    }
  }

  // Without a breaker every message burns its 8 attempts (20 ms apart) into the dead letter while
  // the downstream is down for 700 ms; with it, 4 failed calls open it, intake pauses, the lanes
  // hold their messages, and one probe at a time tries again every 300 ms until one succeeds.
  @Test
  void opensOnFailuresPausesIntakeWithoutDeadLetteringAndClosesWhenAProbeSucceeds()
      throws Exception {
    AtomicBoolean down = new AtomicBoolean(true);
    States states = new States();
    try (DispatcherHarness h =
        new DispatcherHarness(
            breaker("retry.maxAttempts", 8),
            m -> {
              states.seen(m);
              if (down.get()) {
                throw new IllegalStateException("downstream down");
              }
              return Outcome.ack();
            })) {
      states.harness.set(h);
      List<RecordingAcknowledger> acks = new ArrayList<>();
      for (int seq = 0; seq < 3; seq++) {
        acks.add(h.send(Messages.order(1, seq)));
        acks.add(h.send(Messages.order(2, seq)));
      }
      eventually().until(() -> h.breaker.state() == State.OPEN);
      // the thread that opened it pauses the source right after the transition
      eventually().until(() -> h.source.isPaused());
      for (int seq = 3; seq < 5; seq++) { // already on their way when the source paused
        acks.add(h.send(Messages.order(1, seq)));
        acks.add(h.send(Messages.order(2, seq)));
      }
      TimeUnit.MILLISECONDS.sleep(700); // the outage goes on: probes fail, it opens again
      int callsWhileDown = h.calls().size();
      down.set(false);

      eventually().until(() -> acks.stream().allMatch(RecordingAcknowledger::isSettled));
      assertThat(acks).allSatisfy(a -> assertThat(a.single().kind()).isEqualTo("ack"));
      assertThat(h.taskStats().rejected()).as("dead-lettered").isZero();
      assertThat(h.breaker.state()).isEqualTo(State.CLOSED);
      assertThat(h.source.isPaused()).as("intake resumed").isFalse();
      assertThat(h.log.startingWith("circuit"))
          .as("one report when the outage starts, one when it ends")
          .containsExactly("circuitOpened", "circuitClosed");

      List<Call> calls = h.calls();
      // 4 calls open it, a call the other lane had already started may end after; then probes
      assertThat(callsWhileDown).as("calls while the downstream was down").isBetween(4, 9);
      assertThat(calls.stream().filter(c -> states.of(c) == State.OPEN).count())
          .as("calls started while open: only one the other lane was already starting")
          .isLessThanOrEqualTo(1);
      List<Call> probes = calls.stream().filter(c -> states.of(c) == State.HALF_OPEN).toList();
      assertThat(probes).as("probes").isNotEmpty();
      for (int i = 1; i < probes.size(); i++) {
        assertThat(probes.get(i).startNanos())
            .as("probes run one at a time")
            .isGreaterThanOrEqualTo(probes.get(i - 1).endNanos());
      }
      for (long key : new long[] {1, 2}) {
        List<Long> seqs =
            calls.stream()
                .filter(c -> c.message().field("order_id").orElseThrow().equals(key))
                .map(c -> (Long) c.message().field("seq").orElseThrow())
                .toList();
        assertThat(seqs).as("per-key order of key %s", key).isSorted();
        assertThat(seqs).as("every message of key %s handled", key).contains(0L, 1L, 2L, 3L, 4L);
      }
    }
  }

  // Liveness: a message that always throws must not hold the breaker open for ever. Its failed
  // probes spend its attempts, it ends in the dead letter, the next message probes and closes it.
  @Test
  void aMessageThatAlwaysFailsCannotHoldItOpenForEver() {
    try (DispatcherHarness h =
        new DispatcherHarness(
            breaker(
                "consumerNum", 1,
                "breaker.minimumCalls", 1,
                "breaker.openFor", "100ms",
                "retry.maxAttempts", 3),
            m -> {
              if (m.field("seq").orElseThrow().equals(0L)) {
                throw new IllegalStateException("poison that throws");
              }
              return Outcome.ack();
            })) {
      RecordingAcknowledger poison = h.send(Messages.order(1, 0));
      List<RecordingAcknowledger> good = new ArrayList<>();
      for (int seq = 1; seq <= 3; seq++) {
        good.add(h.send(Messages.order(1, seq)));
      }
      eventually().until(() -> good.stream().allMatch(RecordingAcknowledger::isSettled));
      assertThat(poison.single().kind()).isEqualTo("reject");
      assertThat(poison.single().attempt()).isEqualTo(3);
      assertThat(good).allSatisfy(a -> assertThat(a.single().kind()).isEqualTo("ack"));
      assertThat(h.breaker.state()).isEqualTo(State.CLOSED);
      assertThat(h.log.startingWith("circuit")).containsExactly("circuitOpened", "circuitClosed");
    }
  }

  @Test
  void rejectsDoNotOpenIt() {
    States states = new States();
    try (DispatcherHarness h =
        new DispatcherHarness(
            breaker(),
            m -> {
              states.seen(m);
              return Outcome.reject("poison");
            })) {
      states.harness.set(h);
      List<RecordingAcknowledger> acks = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        acks.add(h.send(Messages.order(i, 0)));
      }
      eventually().until(() -> acks.stream().allMatch(RecordingAcknowledger::isSettled));
      assertThat(acks).allSatisfy(a -> assertThat(a.single().kind()).isEqualTo("reject"));
      assertThat(h.calls())
          .hasSize(20)
          .allSatisfy(c -> assertThat(states.of(c)).isEqualTo(State.CLOSED));
      assertThat(h.source.pauses()).isZero();
      assertThat(h.log.startingWith("circuit")).isEmpty();
    }
  }

  @Test
  void isOffByDefault() {
    Map<String, Object> defaults =
        Map.of("consumerNum", 2, "retry.maxAttempts", 2, "retry.initialDelay", "5ms");
    try (DispatcherHarness h =
        new DispatcherHarness(
            defaults,
            m -> {
              throw new IllegalStateException("downstream down");
            })) {
      List<RecordingAcknowledger> acks = new ArrayList<>();
      for (int i = 0; i < 15; i++) { // 30 failed calls: over the default minimumCalls, all failed
        acks.add(h.send(Messages.order(i, 0)));
      }
      eventually().until(() -> acks.stream().allMatch(RecordingAcknowledger::isSettled));
      assertThat(acks).allSatisfy(a -> assertThat(a.single().kind()).isEqualTo("reject"));
      assertThat(h.calls()).hasSize(30);
      assertThat(h.breaker.state()).isEqualTo(State.CLOSED);
      assertThat(h.source.pauses()).isZero();
    }
  }

  @Test
  void aStopWhileOpenLeavesWhatTheLanesHoldUnsettledAtOnce() {
    try (DispatcherHarness h =
        new DispatcherHarness(
            breaker("breaker.minimumCalls", 2, "breaker.openFor", "1m", "retry.maxAttempts", 10),
            m -> {
              throw new IllegalStateException("downstream down");
            })) {
      List<RecordingAcknowledger> acks = new ArrayList<>();
      acks.add(h.send(Messages.order(1, 0)));
      acks.add(h.send(Messages.order(2, 0)));
      eventually().until(() -> h.breaker.state() == State.OPEN);
      for (int seq = 1; seq < 3; seq++) {
        acks.add(h.send(Messages.order(1, seq)));
        acks.add(h.send(Messages.order(2, seq)));
      }
      int calls = h.calls().size();

      long started = System.nanoTime();
      int abandoned = h.drain(5_000);
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

      assertThat(abandoned).as("left unsettled for redelivery").isEqualTo(6);
      assertThat(acks).noneMatch(RecordingAcknowledger::isSettled);
      assertThat(h.calls()).as("no call after the breaker opened").hasSize(calls);
      assertThat(tookMs).as("the stop did not wait for the breaker").isLessThan(2_000);
    }
  }

  @Test
  void touchesWhatItHoldsWhileOpenWhereTheBrokerNeedsIt() {
    try (DispatcherHarness h =
        new DispatcherHarness(
            breaker("breaker.minimumCalls", 2, "breaker.openFor", "1m", "retry.maxAttempts", 10),
            source -> source.touchInterval(Duration.ofMillis(50)),
            m -> {
              throw new IllegalStateException("downstream down");
            })) {
      RecordingAcknowledger first = h.send(Messages.order(1, 0));
      h.send(Messages.order(2, 0));
      eventually().until(() -> h.breaker.state() == State.OPEN);
      RecordingAcknowledger queued = h.send(Messages.order(1, 1));
      int before = first.touches();
      eventually().until(() -> first.touches() > before + 2 && queued.touches() > 2);
      assertThat(first.isSettled()).isFalse();
    }
  }
}
