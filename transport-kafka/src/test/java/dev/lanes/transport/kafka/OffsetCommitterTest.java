package dev.lanes.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lanes.api.Message;
import dev.lanes.testing.Tasks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.junit.jupiter.api.Test;

/**
 * The committer against the consumer's contract, not a broker: {@link
 * org.apache.kafka.clients.consumer.KafkaConsumer#commitAsync} throws a pending {@link
 * WakeupException} when it must first find the group coordinator (after the broker restarted, or
 * while it is unreachable), and then never calls the callback.
 */
class OffsetCommitterTest {

  private static final TopicPartition PARTITION = new TopicPartition("t", 0);

  private final WakingConsumer consumer = new WakingConsumer();
  private final PartitionTracker tracker = new PartitionTracker(PARTITION, new DrainSignal());
  private final OffsetCommitter committer =
      new OffsetCommitter(
          KafkaSettings.read(
              Tasks.task("orders", Map.of("transport", "kafka", "kafka.commitInterval", "1ms"))),
          consumer);

  @Test
  void aWakeupWhileFindingTheCoordinatorLeavesNoCommitInFlight() throws Exception {
    finish(0, 1, 2);
    consumer.wakeupOnNextCommit = true;

    assertThatThrownBy(() -> committer.commitIfDue(List.of(tracker)))
        .as("the wakeup is for the poll loop")
        .isInstanceOf(WakeupException.class);
    TimeUnit.MILLISECONDS.sleep(5); // past the commitInterval
    committer.commitIfDue(List.of(tracker));

    assertThat(consumer.sent)
        .as("the offsets sent again at the next interval")
        .extracting(offsets -> offsets.get(PARTITION).offset())
        .containsExactly(3L);
  }

  private void finish(long... offsets) {
    for (long offset : offsets) {
      KafkaAcknowledger record =
          new KafkaAcknowledger(
              "t",
              tracker,
              new ConsumerRecord<>("t", 0, offset, null, new byte[0]),
              Message.builder().id("t-0@" + offset).build(),
              "t",
              null);
      tracker.track(record);
      record.ack();
    }
  }

  /** Throws a pending wakeup from commitAsync, as KafkaConsumer does without a coordinator. */
  private static final class WakingConsumer extends MockConsumer<byte[], byte[]> {
    final List<Map<TopicPartition, OffsetAndMetadata>> sent = new ArrayList<>();
    boolean wakeupOnNextCommit;

    WakingConsumer() {
      super("earliest");
    }

    @Override
    public synchronized void commitAsync(
        Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
      if (wakeupOnNextCommit) {
        wakeupOnNextCommit = false;
        throw new WakeupException();
      }
      sent.add(Map.copyOf(offsets));
      callback.onComplete(offsets, null);
    }
  }
}
