package dev.lanes.dispatch;

import static dev.lanes.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.api.Message;
import dev.lanes.api.Outcome;
import dev.lanes.dispatch.DispatcherHarness.Call;
import dev.lanes.metrics.TaskMetrics;
import dev.lanes.spi.Delivery;
import dev.lanes.testing.Messages;
import dev.lanes.testing.RecordingAcknowledger;
import dev.lanes.testing.RecordingAcknowledger.Settlement;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DispatcherRetryTest {

  /** Slack for scheduling on a busy machine: a retry may run late, never early. */
  private static final long LATE_MS = 400;

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  private static String label(Call call) {
    return call.message().field("order_id").orElse("?")
        + "/"
        + call.message().field("seq").orElse("?")
        + "#"
        + call.message().attempt();
  }

  @Test
  void retriesAFailingHandlerWithTheAttemptIncrementedAfterTheBackoff() {
    Map<String, Object> policy =
        Map.of("retry.maxAttempts", 3, "retry.initialDelay", "100ms", "retry.multiplier", 2);
    try (DispatcherHarness h =
        new DispatcherHarness(
            policy,
            m -> {
              throw new IllegalStateException("downstream is down");
            })) {
      Message sent = Messages.order(1, 0);
      RecordingAcknowledger ack = h.send(sent);
      eventually().until(ack::isSettled);

      List<Call> calls = h.calls();
      assertThat(calls).extracting(c -> c.message().attempt()).containsExactly(1, 2, 3);
      assertThat(calls).extracting(c -> c.message().id()).containsOnly(sent.id());
      assertThat(calls).extracting(Call::payload).containsOnly(sent.payloadAsString());
      long firstGap = millis(calls.get(1).startNanos() - calls.get(0).endNanos());
      long secondGap = millis(calls.get(2).startNanos() - calls.get(1).endNanos());
      assertThat(firstGap).isBetween(100L, 100 + LATE_MS);
      assertThat(secondGap).isBetween(200L, 200 + LATE_MS);

      Settlement settled = ack.single();
      assertThat(settled.kind()).isEqualTo("reject");
      assertThat(settled.attempt()).as("attempts the dead letter reports").isEqualTo(3);
      assertThat(settled.reason())
          .isEqualTo(
              "retries exhausted after 3 attempts: "
                  + "java.lang.IllegalStateException: downstream is down");
      TaskStats stats = h.taskStats();
      assertThat(stats.received()).isEqualTo(1);
      assertThat(stats.retried()).isEqualTo(2);
      assertThat(stats.rejected()).isEqualTo(1);
      assertThat(stats.acked()).isZero();
      assertThat(stats.inFlight()).isZero();
    }
  }

  @Test
  void acksOnceARetrySucceeds() {
    try (DispatcherHarness h =
        new DispatcherHarness(
            Map.of("retry.maxAttempts", 5),
            m -> {
              if (m.attempt() < 3) {
                throw new IllegalStateException("flaky");
              }
              return Outcome.ack();
            })) {
      RecordingAcknowledger ack = h.send(Messages.order(1, 0));
      eventually().until(ack::isSettled);
      assertThat(h.calls())
          .extracting(Call::result)
          .containsExactly("IllegalStateException", "IllegalStateException", "Ack");
      assertThat(ack.single().kind()).isEqualTo("ack");
    }
  }

  @Test
  void passesTheRejectReasonToTheBrokerWithoutRetrying() {
    try (DispatcherHarness h =
        new DispatcherHarness(Map.of(), m -> Outcome.reject("bad payload"))) {
      RecordingAcknowledger ack = h.send(Messages.order(1, 0));
      eventually().until(ack::isSettled);
      assertThat(ack.single())
          .extracting(Settlement::kind, Settlement::reason)
          .containsExactly("reject", "bad payload");
      assertThat(h.calls()).hasSize(1);
    }
  }

  @Test
  void handsARequestedDelayBeyondParkLimitBackToTheBroker() {
    Duration requested = Duration.ofSeconds(5);
    try (DispatcherHarness h =
        new DispatcherHarness(Map.of("retry.parkLimit", "100ms"), m -> Outcome.retry(requested))) {
      RecordingAcknowledger ack = h.send(Messages.order(1, 0));
      eventually().until(ack::isSettled);
      assertThat(ack.single())
          .extracting(Settlement::kind, Settlement::delay)
          .containsExactly("retry", requested);
      assertThat(h.calls()).hasSize(1);
      assertThat(h.taskStats().retried()).isEqualTo(1);
      assertThat(h.taskStats().inFlight()).isZero();
    }
  }

  @Test
  void handsAPolicyBackoffBeyondParkLimitBackToTheBroker() {
    try (DispatcherHarness h =
        new DispatcherHarness(
            Map.of("retry.parkLimit", "100ms", "retry.initialDelay", "1s"),
            m -> {
              throw new IllegalStateException("down");
            })) {
      RecordingAcknowledger ack = h.send(Messages.order(1, 0));
      eventually().until(ack::isSettled);
      assertThat(ack.single())
          .extracting(Settlement::kind, Settlement::delay)
          .containsExactly("retry", Duration.ofSeconds(1));
      assertThat(h.calls()).hasSize(1);
    }
  }

  @Test
  void aBrokerRetryAfterInProcessRetriesCarriesTheNextAttempt() {
    try (DispatcherHarness h =
        new DispatcherHarness(
            Map.of("retry.parkLimit", "1s"),
            m -> Outcome.retry(Duration.ofMillis(m.attempt() < 3 ? 20 : 5000)))) {
      RecordingAcknowledger ack = h.send(Messages.order(1, 0));
      eventually().until(ack::isSettled);
      assertThat(h.calls()).extracting(c -> c.message().attempt()).containsExactly(1, 2, 3);
      assertThat(ack.single())
          .extracting(Settlement::kind, Settlement::delay, Settlement::attempt)
          .containsExactly("retry", Duration.ofSeconds(5), 4);
    }
  }

  @Test
  void parksARequestedDelayWithinParkLimitInProcess() {
    try (DispatcherHarness h =
        new DispatcherHarness(
            Map.of("retry.parkLimit", "1s"),
            m -> m.attempt() == 1 ? Outcome.retry(Duration.ofMillis(150)) : Outcome.ack())) {
      RecordingAcknowledger ack = h.send(Messages.order(1, 0));
      eventually().until(ack::isSettled);
      assertThat(ack.single().kind()).isEqualTo("ack");
      List<Call> calls = h.calls();
      assertThat(calls).extracting(c -> c.message().attempt()).containsExactly(1, 2);
      assertThat(millis(calls.get(1).startNanos() - calls.get(0).endNanos()))
          .isBetween(150L, 150 + LATE_MS);
    }
  }

  @Test
  void deadLettersWhenTheHandlerAsksToRetryOnTheLastAttempt() {
    try (DispatcherHarness h =
        new DispatcherHarness(
            Map.of("retry.maxAttempts", 3), m -> Outcome.retry(Duration.ofMillis(10)))) {
      RecordingAcknowledger ack = h.send(Messages.order(1, 0).withAttempt(3));
      eventually().until(ack::isSettled);
      assertThat(ack.single())
          .extracting(Settlement::kind, Settlement::reason)
          .containsExactly("reject", "retries exhausted after 3 attempts: handler asked to retry");
      assertThat(h.calls()).hasSize(1);
    }
  }

  @Test
  void interruptsAHandlerPastHandlerTimeoutAndCountsTheAttemptAsFailed() {
    Map<String, Object> task = Map.of("handlerTimeout", "100ms", "retry.maxAttempts", 2);
    try (DispatcherHarness h =
        new DispatcherHarness(
            task,
            m -> {
              if (m.attempt() == 1) {
                TimeUnit.SECONDS.sleep(10);
              }
              return Outcome.ack();
            })) {
      RecordingAcknowledger ack = h.send(Messages.order(1, 0));
      eventually().until(ack::isSettled);

      List<Call> calls = h.calls();
      assertThat(calls).extracting(Call::result).containsExactly("InterruptedException", "Ack");
      assertThat(calls).extracting(c -> c.message().attempt()).containsExactly(1, 2);
      assertThat(millis(calls.get(0).endNanos() - calls.get(0).startNanos()))
          .isBetween(100L, 100 + LATE_MS);
      assertThat(ack.single().kind()).isEqualTo("ack");
      Timer timedOut =
          h.registry
              .find(TaskMetrics.PROCESS_DURATION)
              .tag("lanes.outcome", "retry")
              .tag("error.type", "java.util.concurrent.TimeoutException")
              .timer();
      assertThat(timedOut).isNotNull();
      assertThat(timedOut.count()).isEqualTo(1);
    }
  }

  @Test
  void failsAnAttemptThatOutlivesHandlerTimeoutEvenIfItIgnoresInterruptionAndAcks() {
    Map<String, Object> task = Map.of("handlerTimeout", "100ms", "retry.maxAttempts", 1);
    try (DispatcherHarness h =
        new DispatcherHarness(
            task,
            m -> {
              long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
              boolean interrupted = false;
              while (System.nanoTime() < until) {
                try {
                  TimeUnit.NANOSECONDS.sleep(until - System.nanoTime());
                } catch (InterruptedException e) {
                  interrupted = true;
                }
              }
              return interrupted ? Outcome.ack() : Outcome.reject("was never interrupted");
            })) {
      RecordingAcknowledger ack = h.send(Messages.order(1, 0));
      eventually().until(ack::isSettled);
      assertThat(ack.single().kind()).isEqualTo("reject");
      assertThat(ack.single().reason())
          .startsWith("retries exhausted after 1 attempts: java.util.concurrent.TimeoutException")
          .contains("handlerTimeout");
    }
  }

  @Test
  void treatsANullOutcomeAsAFailedAttempt() {
    try (DispatcherHarness h =
        new DispatcherHarness(
            Map.of("retry.maxAttempts", 2), m -> m.attempt() == 1 ? null : Outcome.ack())) {
      RecordingAcknowledger ack = h.send(Messages.order(1, 0));
      eventually().until(ack::isSettled);
      assertThat(h.calls()).extracting(c -> c.message().attempt()).containsExactly(1, 2);
      assertThat(ack.single().kind()).isEqualTo("ack");
    }
    try (DispatcherHarness h = new DispatcherHarness(Map.of("retry.maxAttempts", 1), m -> null)) {
      RecordingAcknowledger ack = h.send(Messages.order(1, 0));
      eventually().until(ack::isSettled);
      assertThat(ack.single().kind()).isEqualTo("reject");
      assertThat(ack.single().reason())
          .contains("IllegalStateException")
          .contains("handle returned null");
    }
  }

  @Test
  void aParkedRetryLetsOtherKeysOfItsLaneRunAndHoldsBackLaterMessagesOfItsKey() {
    Map<String, Object> oneLane = Map.of("consumerNum", 1, "deliverBy", "order_id");
    try (DispatcherHarness h =
        new DispatcherHarness(
            oneLane,
            m -> {
              boolean first =
                  m.field("order_id").orElseThrow().equals(1L)
                      && m.field("seq").orElseThrow().equals(0L);
              return first && m.attempt() < 3
                  ? Outcome.retry(Duration.ofMillis(200))
                  : Outcome.ack();
            })) {
      RecordingAcknowledger a0 = h.send(Messages.order(1, 0));
      RecordingAcknowledger a1 = h.send(Messages.order(1, 1));
      RecordingAcknowledger b0 = h.send(Messages.order(2, 0));
      RecordingAcknowledger b1 = h.send(Messages.order(2, 1));

      eventually().until(() -> b0.isSettled() && b1.isSettled());
      // key 2 went on while key 1 waits: a1 is held behind a0 and counts in the lane's depth
      assertThat(a0.isSettled()).isFalse();
      assertThat(a1.isSettled()).isFalse();
      assertThat(h.dispatcher.depth(0)).isEqualTo(1);

      eventually().until(() -> a0.isSettled() && a1.isSettled());
      List<Call> calls = h.calls();
      assertThat(calls)
          .extracting(DispatcherRetryTest::label)
          .containsExactly("1/0#1", "2/0#1", "2/1#1", "1/0#2", "1/0#3", "1/1#1");
      assertThat(calls.get(2).endNanos())
          .isLessThan(calls.get(0).endNanos() + TimeUnit.MILLISECONDS.toNanos(200));
      List.of(a0, a1, b0, b1).forEach(a -> assertThat(a.single().kind()).isEqualTo("ack"));
      assertThat(h.dispatcher.depth(0)).isZero();
    }
  }

  @Test
  void aReleasedMessageThatFailsKeepsTheRestOfItsKeyBehindIt() {
    Map<String, Object> oneLane = Map.of("consumerNum", 1, "deliverBy", "order_id");
    try (DispatcherHarness h =
        new DispatcherHarness(
            oneLane,
            m -> {
              long seq = (Long) m.field("seq").orElseThrow();
              return seq <= 1 && m.attempt() == 1
                  ? Outcome.retry(Duration.ofMillis(100))
                  : Outcome.ack();
            })) {
      RecordingAcknowledger[] acks = new RecordingAcknowledger[4];
      for (int seq = 0; seq < acks.length; seq++) {
        acks[seq] = h.send(Messages.order(1, seq));
      }
      eventually().until(() -> acks[3].isSettled());
      assertThat(h.calls())
          .extracting(DispatcherRetryTest::label)
          .containsExactly("1/0#1", "1/0#2", "1/1#1", "1/1#2", "1/2#1", "1/3#1");
      for (RecordingAcknowledger ack : acks) {
        assertThat(ack.single().kind()).isEqualTo("ack");
      }
      assertThat(h.dispatcher.depth(0)).isZero();
    }
  }

  @Test
  void aParkedRetryWithoutAKeyHoldsBackOnlyItself() {
    Map<String, Object> oneLane = Map.of("consumerNum", 1, "deliverBy", "");
    try (DispatcherHarness h =
        new DispatcherHarness(
            oneLane,
            m ->
                m.field("seq").orElseThrow().equals(0L) && m.attempt() == 1
                    ? Outcome.retry(Duration.ofMillis(200))
                    : Outcome.ack())) {
      RecordingAcknowledger first = h.send(Messages.order(1, 0));
      RecordingAcknowledger second = h.send(Messages.order(1, 1));
      eventually().until(second::isSettled);
      assertThat(first.isSettled()).isFalse();
      eventually().until(first::isSettled);
      assertThat(h.calls())
          .extracting(DispatcherRetryTest::label)
          .containsExactly("1/0#1", "1/1#1", "1/0#2");
    }
  }

  @Test
  void skipsStaleDeliveriesWithoutCallingTheHandler() {
    try (DispatcherHarness h = DispatcherHarness.acking(Map.of())) {
      RecordingAcknowledger stale = new RecordingAcknowledger("stale", null);
      stale.markStale();
      h.dispatcher.accept(new Delivery(Messages.order(1, 0), stale));
      RecordingAcknowledger fresh = h.send(Messages.order(1, 1));
      eventually().until(fresh::isSettled);
      assertThat(h.calls()).extracting(DispatcherRetryTest::label).containsExactly("1/1#1");
      assertThat(stale.settlements()).isEmpty();
      TaskStats stats = h.taskStats();
      assertThat(stats.stale()).isEqualTo(1);
      assertThat(stats.received()).isEqualTo(2);
      assertThat(stats.inFlight()).isZero();
    }
  }
}
