package dev.lanes.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lanes.api.Message;
import dev.lanes.spi.Delivery;
import dev.lanes.spi.DeliverySink;
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
    List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    List<String> payloads = new CopyOnWriteArrayList<>();
    DeliverySink sink =
        new DeliverySink() {
          @Override
          public void accept(Delivery delivery) {
            acceptAll(List.of(delivery));
          }

          @Override
          public void acceptAll(List<Delivery> deliveries) {
            batchSizes.add(deliveries.size());
            deliveries.forEach(d -> payloads.add(d.message().payloadAsString()));
          }
        };
    try (MemorySource source = new MemorySource("batches", queue)) {
      source.start(sink);
      await().atMost(Duration.ofSeconds(5)).until(() -> payloads.size() == 200);
    }

    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      expected.add(Integer.toString(i));
    }
    assertThat(payloads).containsExactlyElementsOf(expected);
    assertThat(batchSizes).as("batch sizes").hasSizeLessThan(10).allMatch(size -> size <= 64);
  }
}
