package dev.lanes.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lanes.api.Message;
import dev.lanes.spi.Delivery;
import dev.lanes.spi.DeliverySink;
import dev.lanes.testing.RecordingSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class MemorySourceTest {

  /** A backlog goes to the lanes a batch at a time (one queue lock and one hand-off per batch). */
  @Test
  void handsABacklogToTheSinkInBatchesInPublishOrder() throws Exception {
    MemoryQueue queue = MemoryBroker.queue("batches-" + UUID.randomUUID());
    for (int i = 0; i < 200; i++) {
      queue.publish(Message.builder().key("k").payload(Integer.toString(i)).build(), Duration.ZERO);
    }
    RecordingSink sink = new RecordingSink();
    try (MemorySource source = new MemorySource("batches", queue, 1_000)) {
      source.start(sink);
      await().atMost(Duration.ofSeconds(5)).until(() -> sink.count() == 200);
    }
    List<String> payloads =
        sink.deliveries().stream().map(d -> d.message().payloadAsString()).toList();
    List<Integer> batchSizes = sink.batchSizes();

    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      expected.add(Integer.toString(i));
    }
    assertThat(payloads).containsExactlyElementsOf(expected);
    assertThat(batchSizes).as("batch sizes").hasSizeLessThan(10).allMatch(size -> size <= 64);
  }

  /**
   * Closing gives back exactly what the source still holds, in publish order, also after it took
   * many times its trimming threshold (the settled ones are dropped from its list as it goes).
   */
  @Test
  void closeGivesBackOnlyWhatIsStillHeldInPublishOrder() throws Exception {
    MemoryQueue queue = MemoryBroker.queue("held-" + UUID.randomUUID());
    int count = 5_000;
    for (int i = 0; i < count; i++) {
      queue.publish(Message.builder().payload(Integer.toString(i)).build(), Duration.ZERO);
    }
    List<String> keptBack = new CopyOnWriteArrayList<>();
    List<Delivery> received = new CopyOnWriteArrayList<>();
    DeliverySink acksAllBut =
        delivery -> {
          received.add(delivery);
          int n = Integer.parseInt(delivery.message().payloadAsString());
          if (n % 997 == 3 || n >= count - 2) {
            keptBack.add(delivery.message().payloadAsString());
          } else {
            delivery.acknowledger().ack();
          }
        };
    try (MemorySource source = new MemorySource("held", queue, 1_000)) {
      source.start(acksAllBut);
      await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == count);
    }

    List<String> again = new CopyOnWriteArrayList<>();
    try (MemorySource next = new MemorySource("held-next", queue, 1_000)) {
      next.start(delivery -> again.add(delivery.message().payloadAsString()));
      await().atMost(Duration.ofSeconds(5)).until(() -> again.size() >= keptBack.size());
      assertThat(again).containsExactlyElementsOf(keptBack);
      assertThat(queue.depth()).isZero();
    }
  }

  /**
   * A batch is no larger than what the task's lanes hold, so messages beyond them stay in the queue
   * and count as its backlog (the backlog alert of a memory task depends on it).
   */
  @Test
  void takesNoMoreAtOnceThanTheLanesHold() throws Exception {
    MemoryQueue queue = MemoryBroker.queue("small-" + UUID.randomUUID());
    for (int i = 0; i < 20; i++) {
      queue.publish(Message.builder().payload(Integer.toString(i)).build(), Duration.ZERO);
    }
    RecordingSink sink = new RecordingSink();
    try (MemorySource source = new MemorySource("small", queue, 2)) {
      source.start(sink);
      await().atMost(Duration.ofSeconds(5)).until(() -> sink.count() == 20);
    }
    assertThat(sink.singles()).isZero();
    assertThat(sink.batchSizes()).allMatch(size -> size <= 2);
  }
}
