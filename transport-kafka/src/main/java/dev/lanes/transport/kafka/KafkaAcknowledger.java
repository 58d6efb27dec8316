package dev.lanes.transport.kafka;

import dev.lanes.api.Message;
import dev.lanes.spi.Acknowledger;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles one consumed record: {@link #ack()} only marks it done in its {@link PartitionTracker}
 * (the poll thread commits later); {@link #retry} and {@link #reject} first write the message to
 * the retry or dead-letter topic and mark it done once the broker confirmed that write, so its
 * offset is never committed before its copy is safe. Once the record's partition is revoked the
 * acknowledger is {@link #isStale() stale} and every call is a no-op: the partition's new owner
 * reads the record again. Thread-safe; the first settling call wins.
 */
final class KafkaAcknowledger implements Acknowledger {

  private static final Logger log = LoggerFactory.getLogger(KafkaAcknowledger.class);

  private static final int OPEN = 0;
  private static final int SETTLING = 1;
  private static final int DONE = 2;
  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(KafkaAcknowledger.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final PartitionTracker partition;
  private final ConsumerRecord<byte[], byte[]> record;
  private final Message message;
  private final String taskTopic;
  private final Republisher republisher;

  @SuppressWarnings("unused") // accessed through STATE
  private volatile int state;

  /**
   * @param taskTopic the task topic the record belongs to (for a retry record, the topic it was
   *     first consumed from): names its retry and dead-letter topics
   */
  KafkaAcknowledger(
      PartitionTracker partition,
      ConsumerRecord<byte[], byte[]> record,
      Message message,
      String taskTopic,
      Republisher republisher) {
    this.partition = partition;
    this.record = record;
    this.message = message;
    this.taskTopic = taskTopic;
    this.republisher = republisher;
  }

  @Override
  public void ack() {
    if (claim("ack")) {
      complete();
    }
  }

  @Override
  public void retry(Duration delay, int attempt) {
    if (claim("retry")) {
      republisher.retry(record, message, taskTopic, delay, attempt, this::complete);
    }
  }

  @Override
  public void reject(String reason, int attempts) {
    if (claim("reject")) {
      republisher.deadLetter(record, message, taskTopic, reason, attempts, this::complete);
    }
  }

  @Override
  public boolean isStale() {
    return partition.isRevoked();
  }

  long offset() {
    return record.offset();
  }

  boolean isDone() {
    return (int) STATE.getVolatile(this) == DONE;
  }

  private boolean claim(String what) {
    if (partition.isRevoked()) {
      log.debug("{} of {} ignored: partition {} was revoked", what, message, partition);
      return false;
    }
    if (!STATE.compareAndSet(this, OPEN, SETTLING)) {
      log.warn("{} of {} ignored: it was already settled", what, message);
      return false;
    }
    return true;
  }

  private void complete() {
    STATE.setVolatile(this, DONE);
    partition.settled();
  }
}
