package dev.lanes.dispatch;

import static dev.lanes.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.api.Outcome;
import dev.lanes.testing.Messages;
import dev.lanes.testing.RecordingAcknowledger;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Regression tests for dispatch bugs found by the unit tests, each fixed in the same commit. */
class DispatcherRegressionTest {

  // -> RoutingKeyTest. Bug: RoutingKey.isInteger accepts at most 18 digits, so a 19-digit id that
  // fits a long routes by string hash when it comes as a string (header, broker key, quoted JSON)
  // but by value mod N when it comes as a JSON number: the same key can land on two lanes.
  @Test
  void routesNineteenDigitIdsAlikeWhetherStringOrNumber() {
    assertThat(RoutingKey.normalise("1234567890123456789")).isEqualTo(1234567890123456789L);
    assertThat(RoutingKey.normalise("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
    RoutingKey byOrder = RoutingKey.forField("order_id");
    Object number = byOrder.of(Messages.json("{\"order_id\":1234567890123456789}"));
    Object text = byOrder.of(Messages.json("{\"order_id\":\"1234567890123456789\"}"));
    assertThat(LaneRouter.laneOf(text, 10)).isEqualTo(LaneRouter.laneOf(number, 10)).isEqualTo(9);
  }

  // -> DispatcherRetryTest. Bug: HandlerInvoker catches Exception, LinkageError and AssertionError
  // only; any other Error (StackOverflowError from a recursive handler, a custom Error) escapes
  // Lane.run and kills the lane thread: the delivery is never settled, later messages of the lane
  // are never handled, and once the lane fills the source stays paused for good.
  @Test
  void aHandlerThrowingAnErrorFailsTheAttemptWithoutKillingItsLane() {
    try (DispatcherHarness h =
        new DispatcherHarness(
            Map.of("consumerNum", 1, "retry.maxAttempts", 2),
            m -> {
              if (m.field("seq").orElseThrow().equals(0L) && m.attempt() == 1) {
                throw new StackOverflowError("recursive handler");
              }
              return Outcome.ack();
            })) {
      RecordingAcknowledger failing = h.send(Messages.order(1, 0));
      RecordingAcknowledger next = h.send(Messages.order(2, 1));
      eventually()
          .atMost(Duration.ofSeconds(2))
          .until(() -> next.isSettled() && failing.isSettled());
      assertThat(failing.single().kind()).isEqualTo("ack");
      assertThat(next.single().kind()).isEqualTo("ack");
      assertThat(h.calls())
          .extracting(DispatcherHarness.Call::result)
          .containsExactly("StackOverflowError", "Ack", "Ack");
    }
  }

  // -> DispatcherBackpressureTest. Bug: Lane.loop calls control.laneProgressed() right after
  // taking a message off its inbox and before that message is counted as waiting behind a parked
  // retry (parked.waitBehind + updateParkedDepth), so the lane's depth is undercounted by one at
  // that moment and the source can be resumed while the lane is still full.
  @Test
  void doesNotResumeWhileMessagesMovingBehindAParkedRetryStillFillTheLane() throws Exception {
    AtomicBoolean key7Recovers = new AtomicBoolean();
    CountDownLatch blockerRunning = new CountDownLatch(1);
    CountDownLatch releaseBlocker = new CountDownLatch(1);
    try (DispatcherHarness h =
        new DispatcherHarness(
            Map.of(
                "consumerNum",
                1,
                "channelLength",
                2,
                "deliverBy",
                "order_id",
                "retry.maxAttempts",
                1000),
            m -> {
              long key = (Long) m.field("order_id").orElseThrow();
              if (key == 9) {
                blockerRunning.countDown();
                releaseBlocker.await();
              }
              boolean head = key == 7 && m.field("seq").orElseThrow().equals(0L);
              return head && !key7Recovers.get()
                  ? Outcome.retry(Duration.ofMillis(20))
                  : Outcome.ack();
            })) {
      h.send(Messages.order(7, 0));
      eventually().until(() -> h.calls().size() >= 1);
      h.send(Messages.order(9, 0));
      blockerRunning.await();
      h.send(Messages.order(7, 1));
      h.send(Messages.order(7, 2));
      assertThat(h.source.pauses()).isEqualTo(1);

      releaseBlocker.countDown();
      int callsSoFar = h.calls().size();
      eventually().until(() -> h.calls().size() >= callsSoFar + 4);
      assertThat(h.dispatcher.depth(0)).isEqualTo(2);
      assertThat(h.source.resumes()).as("the lane is still full").isZero();
      key7Recovers.set(true);
      eventually().until(() -> h.source.resumes() == 1);
    }
  }

  // -> DispatcherBackpressureTest. Bug: Dispatcher.accept reads lane.depth() and then pauses with
  // paused.compareAndSet(false, true); if the lane drains in between, its laneProgressed() sees
  // paused == false and does nothing, then the CAS pauses the source with every lane empty and
  // nothing left to call resume(): the task stalls for good. With channelLength = 1 this happens
  // within a few tens of thousands of messages.
  @Test
  void neverLeavesTheSourcePausedWithEmptyLanes() {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (System.nanoTime() < until) {
      try (DispatcherHarness h =
          new DispatcherHarness(
              Map.of("consumerNum", 1, "channelLength", 1, "deliverBy", ""), m -> Outcome.ack())) {
        for (int i = 0; i < 20_000; i++) {
          long waitedSince = System.nanoTime();
          while (h.source.pauses() > h.source.resumes()) {
            Thread.onSpinWait();
            if (System.nanoTime() - waitedSince > TimeUnit.SECONDS.toNanos(1)) {
              throw new AssertionError(
                  "source still paused after 1 s with lane depth "
                      + h.dispatcher.depth(0)
                      + " (message "
                      + i
                      + ")");
            }
          }
          h.send(Messages.json("{}"));
        }
      }
    }
  }
}
