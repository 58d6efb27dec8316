package dev.lanes.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.api.Message;
import dev.lanes.spi.Delivery;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class RetryHoldTest {

  private final DrainSignal drain = new DrainSignal();
  private final PartitionTracker p0 = new PartitionTracker(new TopicPartition("t.retry", 0), drain);
  private final PartitionTracker p1 = new PartitionTracker(new TopicPartition("t.retry", 1), drain);
  private final List<String> released = new ArrayList<>();
  private final RetryHold hold = new RetryHold(3);

  @Test
  void releasesByDueTimeNotByArrival() {
    hold.hold(p0, 5_000, delivery(p0, 0, "late"));
    hold.hold(p0, 1_000, delivery(p0, 1, "soon"));
    hold.hold(p1, 1_000, delivery(p1, 0, "soon-too"));

    assertThat(hold.nextDueMillis()).isEqualTo(1_000);
    assertThat(hold.releaseDue(999, d -> released.add(d.message().id()))).isZero();
    assertThat(hold.releaseDue(1_000, d -> released.add(d.message().id()))).isEqualTo(2);
    assertThat(released).containsExactly("soon", "soon-too");
    assertThat(p0.handedOut()).isEqualTo(1);
    assertThat(hold.nextDueMillis()).isEqualTo(5_000);
  }

  @Test
  void isFullAtItsBound() {
    hold.hold(p0, 1, delivery(p0, 0, "a"));
    hold.hold(p0, 1, delivery(p0, 1, "b"));
    assertThat(hold.isFull()).isFalse();
    hold.hold(p0, 1, delivery(p0, 2, "c"));
    assertThat(hold.isFull()).isTrue();
  }

  @Test
  void dropsRecordsOfRevokedPartitions() {
    hold.hold(p0, 1, delivery(p0, 0, "gone"));
    hold.hold(p1, 2, delivery(p1, 0, "kept"));
    hold.drop(Set.of(p0.partition()));

    hold.releaseDue(10, d -> released.add(d.message().id()));
    assertThat(released).containsExactly("kept");
    assertThat(hold.size()).isZero();
    assertThat(hold.nextDueMillis()).isEqualTo(Long.MAX_VALUE);
  }

  private static Delivery delivery(PartitionTracker partition, long offset, String id) {
    Message message = Message.builder().id(id).build();
    KafkaAcknowledger acknowledger =
        new KafkaAcknowledger(
            "t",
            partition,
            new ConsumerRecord<>("t.retry", 0, offset, null, new byte[0]),
            message,
            "t",
            null);
    partition.track(acknowledger);
    return new Delivery(message, acknowledger);
  }
}
