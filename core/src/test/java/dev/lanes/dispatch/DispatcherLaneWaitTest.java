package dev.lanes.dispatch;

import static dev.lanes.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.api.Message;
import dev.lanes.metrics.TaskMetrics;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code lanes.lane.wait.duration} is the latency Lanes adds: from the moment the source received a
 * message (its delivery's stamp), not from when the dispatcher got round to it, to the handler
 * call. A source that spent time on a batch before handing it over (decoding, a slow poll) shows.
 */
class DispatcherLaneWaitTest {

  private static final long RECEIVED_MILLIS_AGO = 300;

  @Test
  void laneWaitRunsFromTheSourcesReceiptToTheHandlerCallInBothRoutings() {
    for (String routing : List.of("lane", "key")) {
      try (DispatcherHarness harness =
          DispatcherHarness.acking(
              Map.of("consumerNum", 2, "deliverBy", "key", "routing", routing))) {
        long receivedNanos = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(RECEIVED_MILLIS_AGO);
        harness.source.deliverAll(
            List.of(
                Message.builder().key("a").payload("1").build(),
                Message.builder().key("b").payload("2").build()),
            receivedNanos);
        harness.source.deliver(Message.builder().key("c").payload("3").build());

        eventually().until(() -> harness.calls().size() == 3);
        Timer laneWait = harness.registry.get(TaskMetrics.LANE_WAIT).timer();
        assertThat(laneWait.count()).as(routing).isEqualTo(3);
        assertThat(laneWait.max(TimeUnit.MILLISECONDS))
            .as("%s: the longest wait counts from the batch's receipt", routing)
            .isGreaterThanOrEqualTo(RECEIVED_MILLIS_AGO);
        assertThat(laneWait.totalTime(TimeUnit.MILLISECONDS))
            .as("%s: the single delivery received now adds almost nothing", routing)
            .isLessThan(2 * RECEIVED_MILLIS_AGO + 200);
      }
    }
  }
}
