package dev.lanes.dispatch;

import static dev.lanes.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.api.Outcome;
import dev.lanes.testing.Messages;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class DispatcherBackpressureTest {

  private final Semaphore lane0 = new Semaphore(0);
  private final Semaphore lane1 = new Semaphore(0);

  /** "key/seq" of every message whose handler call began. */
  private final Set<String> entered = ConcurrentHashMap.newKeySet();

  private DispatcherHarness harness() {
    return new DispatcherHarness(
        Map.of("consumerNum", 2, "channelLength", 4, "deliverBy", "order_id"),
        m -> {
          long key = (Long) m.field("order_id").orElseThrow();
          entered.add(key + "/" + m.field("seq").orElseThrow());
          (key == 0 ? lane0 : lane1).acquire();
          return Outcome.ack();
        });
  }

  @Test
  void pausesWhenALaneReachesChannelLengthAndResumesOnceEveryLaneIsAtOrBelowHalf() {
    try (DispatcherHarness h = harness()) {
      // one message running on each lane, then three queued on lane 1 and four on lane 0
      h.send(Messages.order(0, 0));
      h.send(Messages.order(1, 0));
      eventually().until(() -> entered.containsAll(Set.of("0/0", "1/0")));
      for (int seq = 1; seq <= 3; seq++) {
        h.send(Messages.order(1, seq));
        h.send(Messages.order(0, seq));
      }
      assertThat(h.source.pauses()).as("three of four queued: not full").isZero();
      h.send(Messages.order(0, 4));
      assertThat(h.dispatcher.depth(0)).isEqualTo(4);
      assertThat(h.source.pauses()).as("lane 0 is full").isEqualTo(1);
      h.send(Messages.order(1, 4));
      assertThat(h.dispatcher.depth(1)).isEqualTo(4);
      assertThat(h.source.pauses()).as("already paused: no second pause").isEqualTo(1);

      // lane 0 drains to half (2), but lane 1 is still full: stay paused
      lane0.release(2);
      eventually().until(() -> entered.contains("0/2"));
      assertThat(h.dispatcher.depth(0)).isEqualTo(2);
      assertThat(h.source.resumes()).isZero();

      // lane 1 drains to 3: still above half
      lane1.release(1);
      eventually().until(() -> entered.contains("1/1"));
      assertThat(h.dispatcher.depth(1)).isEqualTo(3);
      assertThat(h.source.resumes()).isZero();

      // lane 1 reaches half: every lane is at or below 2, resume once
      lane1.release(1);
      eventually().until(() -> h.source.resumes() == 1);
      assertThat(h.dispatcher.depth(1)).isEqualTo(2);
      assertThat(h.log.events())
          .filteredOn(e -> e.equals("pause") || e.equals("resume"))
          .containsExactly("pause", "resume");

      lane0.release(100);
      lane1.release(100);
      eventually().until(() -> h.calls().size() == 10);
      assertThat(h.source.pauses()).isEqualTo(1);
      assertThat(h.source.resumes()).isEqualTo(1);
    }
  }

  @Test
  void countsMessagesWaitingBehindAParkedRetryTowardsTheLaneBound() throws Exception {
    AtomicBoolean key7Recovers = new AtomicBoolean();
    CountDownLatch blockerRunning = new CountDownLatch(1);
    CountDownLatch releaseBlocker = new CountDownLatch(1);
    try (DispatcherHarness h =
        new DispatcherHarness(
            Map.of(
                "consumerNum",
                1,
                "channelLength",
                4,
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
      for (int seq = 1; seq <= 3; seq++) {
        h.send(Messages.order(7, seq));
      }
      eventually().until(() -> h.dispatcher.depth(0) == 3 && h.calls().size() >= 2);
      assertThat(h.source.pauses()).isZero();

      // with the lane busy on key 9, a fourth message of key 7 fills the lane: pause
      h.send(Messages.order(9, 0));
      blockerRunning.await();
      h.send(Messages.order(7, 4));
      assertThat(h.dispatcher.depth(0)).isEqualTo(4);
      assertThat(h.source.pauses()).isEqualTo(1);

      // key 7 keeps retrying; its followers still fill the lane, so the source stays paused
      releaseBlocker.countDown();
      int callsSoFar = h.calls().size();
      eventually().until(() -> h.calls().size() >= callsSoFar + 3);
      assertThat(h.dispatcher.depth(0)).isEqualTo(4);
      assertThat(h.source.resumes()).isZero();

      // once key 7 recovers, its followers run in order and the source resumes
      key7Recovers.set(true);
      eventually().until(() -> h.source.resumes() == 1);
      eventually()
          .until(() -> h.calls().stream().filter(c -> c.result().equals("Ack")).count() == 6);
      assertThat(h.calls())
          .filteredOn(c -> c.result().equals("Ack"))
          .extracting(
              c ->
                  c.message().field("order_id").orElseThrow()
                      + "/"
                      + c.message().field("seq").orElseThrow())
          .containsExactly("9/0", "7/0", "7/1", "7/2", "7/3", "7/4");
      assertThat(h.dispatcher.depth(0)).isZero();
      assertThat(h.source.pauses()).isEqualTo(1);
    }
  }
}
