package dev.lanes.transport.kafka;

import dev.lanes.api.Message;
import dev.lanes.spi.SettleOnceAcknowledger;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Settles one consumed record: {@link #ack()} only marks it done in its {@link PartitionTracker}
 * (the poll thread commits later); {@link #retry} and {@link #reject} first write the message to
 * the retry or dead-letter topic and mark it done once the broker confirmed that write, so its
 * offset is never committed before its copy is safe. Once the record's partition is revoked the
 * acknowledger is {@link #isStale() stale} and settling it is a no-op: the partition's new owner
 * reads the record again. Thread-safe; settles once by {@link SettleOnceAcknowledger}'s rules.
 */
final class KafkaAcknowledger extends SettleOnceAcknowledger {

  private final PartitionTracker partition;
  private final ConsumerRecord<byte[], byte[]> record;
  private final String taskTopic;
  private final Republisher republisher;
  private volatile boolean done;

  /**
   * @param taskTopic the task topic the record belongs to (for a retry record, the topic it was
   *     first consumed from): names its retry and dead-letter topics
   */
  KafkaAcknowledger(
      String task,
      PartitionTracker partition,
      ConsumerRecord<byte[], byte[]> record,
      Message message,
      String taskTopic,
      Republisher republisher) {
    super(task, message);
    this.partition = partition;
    this.record = record;
    this.taskTopic = taskTopic;
    this.republisher = republisher;
  }

  @Override
  protected void onAck() {
    complete();
  }

  @Override
  protected void onRetry(Duration delay, int attempt) {
    republisher.retry(record, message(), taskTopic, delay, attempt, this::complete);
  }

  @Override
  protected void onReject(String reason, int attempts) {
    republisher.deadLetter(record, message(), taskTopic, reason, attempts, this::complete);
  }

  @Override
  public boolean isStale() {
    return partition.isRevoked();
  }

  long offset() {
    return record.offset();
  }

  boolean isDone() {
    return done;
  }

  private void complete() {
    done = true;
    partition.settled();
  }
}
