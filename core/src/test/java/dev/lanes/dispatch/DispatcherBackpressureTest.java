package dev.lanes.dispatch;

import static dev.lanes.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.api.Outcome;
import dev.lanes.testing.Messages;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;

class DispatcherBackpressureTest {

  private final Semaphore lane0 = new Semaphore(0);
  private final Semaphore lane1 = new Semaphore(0);
  /** "key/seq" of every message whose handler call began. */
  private final Set<String> entered = ConcurrentHashMap.newKeySet();

  private DispatcherHarness harness() {
    return new DispatcherHarness(
        Map.of("consumerNum", 2, "channelLength", 4, "deliverBy", "order_id"), m -> {
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
      assertThat(h.log.events()).filteredOn(e -> e.equals("pause") || e.equals("resume"))
          .containsExactly("pause", "resume");

      lane0.release(100);
      lane1.release(100);
      eventually().until(() -> h.calls().size() == 10);
      assertThat(h.source.pauses()).isEqualTo(1);
      assertThat(h.source.resumes()).isEqualTo(1);
    }
  }

  @Test
  void countsMessagesWaitingBehindAParkedRetryTowardsTheLaneBound() {
    try (DispatcherHarness h = new DispatcherHarness(
        Map.of("consumerNum", 1, "channelLength", 2, "deliverBy", "order_id"),
        m -> m.field("seq").orElseThrow().equals(0L) && m.attempt() == 1
            ? Outcome.retry(Duration.ofMillis(300)) : Outcome.ack())) {
      var first = h.send(Messages.order(7, 0));
      eventually().until(() -> h.calls().size() == 1);
      h.send(Messages.order(7, 1));
      h.send(Messages.order(7, 2));
      h.send(Messages.order(7, 3));
      // all wait behind the parked retry of key 7: the lane is over its bound, the source paused
      eventually().until(() -> h.dispatcher.depth(0) == 3);
      assertThat(h.source.pauses()).isEqualTo(1);
      assertThat(h.source.resumes()).isZero();
      assertThat(first.isSettled()).isFalse();

      // once the retry runs, its followers leave the lane and the source resumes
      eventually().until(() -> h.calls().size() == 5);
      eventually().until(() -> h.source.resumes() == 1);
      assertThat(h.dispatcher.depth(0)).isZero();
    }
  }
}
