package dev.lanes.dispatch;

import static dev.lanes.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.api.Outcome;
import dev.lanes.testing.Messages;
import dev.lanes.testing.RecordingAcknowledger;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class WatchdogTouchTest {

  @Test
  void touchesTheRunningDeliveryAndThoseQueuedBehindIt() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (DispatcherHarness h =
        new DispatcherHarness(
            Map.of("consumerNum", 1),
            source -> source.touchInterval(Duration.ofMillis(40)),
            m -> {
              release.await();
              return Outcome.ack();
            })) {
      RecordingAcknowledger running = h.send(Messages.order(1, 0));
      RecordingAcknowledger queued = h.send(Messages.order(2, 1));
      eventually().until(() -> running.touches() >= 3 && queued.touches() >= 3);
      release.countDown();
      eventually().until(() -> running.isSettled() && queued.isSettled());
      assertThat(running.single().kind()).isEqualTo("ack");
      assertThat(queued.single().kind()).isEqualTo("ack");
    }
  }

  @Test
  void touchesARetryParkedInProcessWhileItWaits() {
    try (DispatcherHarness h =
        new DispatcherHarness(
            Map.of("consumerNum", 1),
            source -> source.touchInterval(Duration.ofMillis(40)),
            m -> m.attempt() == 1 ? Outcome.retry(Duration.ofMillis(1100)) : Outcome.ack())) {
      RecordingAcknowledger parked = h.send(Messages.order(1, 0));
      eventually().until(() -> parked.touches() >= 1);
      assertThat(parked.isSettled()).as("touched while still parked").isFalse();
      eventually().until(parked::isSettled);
      assertThat(parked.single().kind()).isEqualTo("ack");
    }
  }

  @Test
  void neverTouchesWhenTheSourceNeedsNoTouches() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (DispatcherHarness h =
        new DispatcherHarness(
            Map.of("consumerNum", 1, "handlerTimeout", "40ms", "retry.maxAttempts", 1),
            m -> {
              release.await();
              return Outcome.ack();
            })) {
      RecordingAcknowledger running = h.send(Messages.order(1, 0));
      eventually().until(running::isSettled);
      assertThat(running.touches()).isZero();
      release.countDown();
    }
  }
}
