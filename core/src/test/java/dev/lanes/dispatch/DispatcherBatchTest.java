package dev.lanes.dispatch;

import static dev.lanes.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.api.Message;
import dev.lanes.api.Outcome;
import dev.lanes.testing.Messages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Batches handed to {@link Dispatcher#acceptAll}, as a polling source hands them. */
class DispatcherBatchTest {

  @Test
  void queuesEachLanesShareInArrivalOrderAndPausesOnceALaneIsFull() {
    Semaphore gate = new Semaphore(0);
    try (DispatcherHarness h =
        new DispatcherHarness(
            Map.of("consumerNum", 2, "channelLength", 4, "deliverBy", "order_id"),
            m -> {
              gate.acquire();
              return Outcome.ack();
            })) {
      // keys 0 and 1 land on different lanes; a keyless message goes to the least loaded lane
      h.source.deliverAll(
          List.of(
              Messages.order(0, 0),
              Messages.order(1, 0),
              Messages.order(0, 1),
              Messages.json("{}"),
              Messages.order(0, 2)));
      eventually().until(() -> h.dispatcher.buffered() == 3); // one running on each lane
      assertThat(h.source.pauses()).as("no lane full yet").isZero();

      h.source.deliverAll(
          List.of(Messages.order(0, 3), Messages.order(0, 4), Messages.order(0, 5)));
      assertThat(h.source.pauses()).as("a lane reached channelLength in this batch").isEqualTo(1);

      gate.release(100);
      eventually().until(() -> h.calls().size() == 8);
      assertThat(h.taskStats().acked()).isEqualTo(8);
      assertThat(
              h.calls().stream()
                  .map(c -> c.message().field("order_id").orElse(-1L))
                  .filter(key -> key.equals(0L))
                  .count())
          .isEqualTo(6);
      assertThat(seqsOf(h.calls(), 0L)).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
      eventually().until(() -> h.source.resumes() == 1);
    }
  }

  /**
   * Stress: a large backlog in batches of random size through tiny lanes with jittered handlers,
   * keyless messages mixed in, the feeder honouring pauses as a source does: every message handled
   * once, each key in order, and flow control exercised. It takes about 2 s; the timeout catches a
   * lost wake-up, which the lanes' one-second poll would otherwise turn into minutes. In both
   * routing modes (key routing takes each batch into its scheduler under one lock).
   */
  @ParameterizedTest(name = "routing {0}")
  @ValueSource(strings = {"lane", "key"})
  @Timeout(60)
  void aLargeBacklogInBatchesThroughTinyLanesIsHandledOnceEachInKeyOrder(String routing) {
    int messages = 60_000;
    int keys = 97;
    Random random = new Random(15);
    Map<String, Integer> handledTimes = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<String> order = new ConcurrentLinkedQueue<>();
    try (DispatcherHarness h =
        new DispatcherHarness(
            Map.of(
                "consumerNum", 4, "channelLength", 2, "deliverBy", "order_id", "routing", routing),
            m -> {
              handledTimes.merge(m.payloadAsString(), 1, Integer::sum);
              order.add(m.payloadAsString());
              if (m.payloadAsString().hashCode() % 53 == 0) {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200)); // a slow call
              }
              return Outcome.ack();
            })) {
      Map<Long, Integer> nextSeq = new HashMap<>();
      int sent = 0;
      int keyless = 0;
      while (sent < messages) {
        while (h.source.isPaused()) {
          LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50)); // a paused source fetches not
        }
        int size = Math.min(messages - sent, 1 + random.nextInt(500));
        List<Message> batch = new ArrayList<>(size);
        for (int i = 0; i < size; i++, sent++) {
          if (random.nextInt(50) == 0) {
            batch.add(Messages.json("{\"none\":" + keyless++ + "}"));
          } else {
            long key = random.nextInt(keys);
            int seq = nextSeq.merge(key, 1, Integer::sum) - 1;
            batch.add(Messages.order(key, seq));
          }
        }
        h.source.deliverAll(batch);
      }
      eventually().atMost(Duration.ofSeconds(60)).until(() -> h.taskStats().acked() == messages);

      assertThat(handledTimes).hasSize(messages);
      assertThat(handledTimes.values()).allMatch(times -> times == 1);
      Map<Long, Integer> expected = new HashMap<>();
      for (String payload : order) {
        if (payload.startsWith("{\"order_id\":")) {
          Message m = Messages.json(payload);
          long key = (Long) m.field("order_id").orElseThrow();
          long seq = (Long) m.field("seq").orElseThrow();
          int want = expected.merge(key, 1, Integer::sum) - 1;
          assertThat(seq).as("key %d in order", key).isEqualTo(want);
        }
      }
      assertThat(h.source.pauses()).as("tiny lanes paused the source").isPositive();
      assertThat(h.source.resumes()).isPositive();
    }
  }

  private static List<Long> seqsOf(List<DispatcherHarness.Call> calls, long key) {
    return calls.stream()
        .filter(c -> c.message().field("order_id").orElse(-1L).equals(key))
        .map(c -> (Long) c.message().field("seq").orElseThrow())
        .toList();
  }
}
