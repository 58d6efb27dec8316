package dev.lanes.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lanes.api.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class PartitionTrackerTest {

  private final DrainSignal drain = new DrainSignal();
  private final PartitionTracker tracker = new PartitionTracker(new TopicPartition("t", 0), drain);

  @Test
  void commitsNothingBeforeAnyRecordIsTracked() {
    assertThat(tracker.committable()).isEqualTo(-1);
  }

  @Test
  void commitsOnlyUpToTheOldestUnsettledRecord() {
    List<KafkaAcknowledger> records = track(10, 11, 12, 13, 14);

    records.get(1).ack();
    records.get(3).ack();
    assertThat(tracker.committable()).as("10 is unfinished").isEqualTo(10);

    records.get(0).ack();
    assertThat(tracker.committable()).as("10 and 11 done, 12 not").isEqualTo(12);

    records.get(2).ack();
    assertThat(tracker.committable()).as("14 still unfinished").isEqualTo(14);

    records.get(4).ack();
    assertThat(tracker.committable()).as("all done: the offset after the newest").isEqualTo(15);
  }

  @Test
  void offsetsWithoutRecordsNeedNoAck() {
    List<KafkaAcknowledger> records = track(3, 7, 20);
    records.get(0).ack();
    assertThat(tracker.committable()).isEqualTo(7);
    records.get(1).ack();
    records.get(2).ack();
    assertThat(tracker.committable()).isEqualTo(21);
  }

  @Test
  void randomCompletionOrderNeverCommitsPastUnfinishedWork() {
    Random random = new Random(42);
    List<KafkaAcknowledger> records = new ArrayList<>();
    long offset = 0;
    for (int i = 0; i < 500; i++) {
      offset += 1 + random.nextInt(3); // gaps, as after compaction
      records.add(track(offset).get(0));
    }
    List<KafkaAcknowledger> order = new ArrayList<>(records);
    Collections.shuffle(order, random);
    for (KafkaAcknowledger record : order) {
      record.ack();
      long committable = tracker.committable();
      long oldestUnfinished =
          records.stream()
              .filter(r -> !r.isDone())
              .mapToLong(KafkaAcknowledger::offset)
              .min()
              .orElse(offset + 1);
      assertThat(committable).isEqualTo(oldestUnfinished);
    }
    assertThat(tracker.committable()).isEqualTo(offset + 1);
  }

  @Test
  void revokedPartitionMakesItsRecordsStaleAndTheirAckANoOp() {
    List<KafkaAcknowledger> records = track(0, 1);
    records.get(0).ack();
    tracker.revoke();

    assertThat(records.get(1).isStale()).isTrue();
    records.get(1).ack();
    assertThat(records.get(1).isDone()).isFalse();
    assertThat(tracker.committable()).isEqualTo(1);
  }

  @Test
  void settlingTwiceCountsOnce() {
    List<KafkaAcknowledger> records = track(0, 1);
    records.forEach(r -> tracker.handOut());
    records.get(0).ack();
    records.get(0).ack();
    assertThat(tracker.handedOut()).isEqualTo(1);
  }

  @Test
  void rejectsOffsetsGoingBackwards() {
    track(5);
    assertThatThrownBy(() -> track(4)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void drainWaitEndsWhenTheLastHandedOutRecordIsSettled() throws Exception {
    List<KafkaAcknowledger> records = track(0, 1, 2);
    records.forEach(r -> tracker.handOut());
    CompletableFuture<Boolean> drained =
        CompletableFuture.supplyAsync(() -> awaitDrain(Duration.ofSeconds(10)));
    records.get(2).ack();
    records.get(0).ack();
    assertThat(drained).isNotDone();
    records.get(1).ack();
    assertThat(drained.get()).isTrue();
  }

  @Test
  void drainWaitGivesUpAfterItsTimeout() {
    track(0);
    tracker.handOut();
    long start = System.nanoTime();
    assertThat(awaitDrain(Duration.ofMillis(200))).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(200));
  }

  @Test
  void recordsTrackedButNotHandedOutDoNotHoldUpTheDrain() {
    track(0, 1);
    assertThat(awaitDrain(Duration.ofMillis(1))).isTrue();
    assertThat(tracker.committable()).as("but their offsets are not committed").isZero();
  }

  private boolean awaitDrain(Duration timeout) {
    try {
      return drain.await(List.of(tracker), timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private List<KafkaAcknowledger> track(long... offsets) {
    List<KafkaAcknowledger> records = new ArrayList<>();
    for (long offset : offsets) {
      Message message = Message.builder().id("t-0@" + offset).build();
      KafkaAcknowledger record =
          new KafkaAcknowledger(
              "t",
              tracker,
              new ConsumerRecord<>("t", 0, offset, null, new byte[0]),
              message,
              "t",
              null);
      tracker.track(record);
      records.add(record);
    }
    return records;
  }
}
