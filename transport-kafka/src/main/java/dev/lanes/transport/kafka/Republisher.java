package dev.lanes.transport.kafka;

import dev.lanes.api.Message;
import dev.lanes.spi.LanesHeaders;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes retries to the retry topic and dead letters to the dead-letter topic, asynchronously, as
 * byte-for-byte copies of the consumed record (key, value, headers) plus Lanes' headers: {@code
 * onWritten} runs (on the producer's I/O thread) once the broker confirmed the record. When the
 * write fails after the producer's own retries ({@code delivery.timeout.ms}) the original stays
 * unsettled, so its partition's offset is not committed past it and it is consumed again after a
 * restart or rebalance; an ERROR says so. Thread-safe.
 */
final class Republisher {

  private static final Logger log = LoggerFactory.getLogger(Republisher.class);

  /** Headers that mean something only on a retry topic. */
  private static final Set<String> RETRY_ONLY =
      Set.of(RecordCodec.RETRY_DUE, RecordCodec.TASK_TOPIC);

  private final KafkaSettings settings;
  private final Producer<byte[], byte[]> producer;
  private final AtomicInteger inFlight = new AtomicInteger();

  Republisher(KafkaSettings settings, Producer<byte[], byte[]> producer) {
    this.settings = settings;
    this.producer = producer;
  }

  /**
   * Writes a copy of {@code record} to the retry topic of {@code taskTopic}, due after {@code
   * delay}, to be delivered as attempt {@code attempt} ({@link LanesHeaders#ATTEMPT}).
   */
  void retry(
      ConsumerRecord<byte[], byte[]> record,
      Message message,
      String taskTopic,
      Duration delay,
      int attempt,
      Runnable onWritten) {
    Map<String, String> headers = LanesHeaders.retry(message, attempt);
    headers.put(
        RecordCodec.RETRY_DUE, Long.toString(System.currentTimeMillis() + delay.toMillis()));
    headers.put(RecordCodec.TASK_TOPIC, taskTopic);
    send(
        "retry",
        RecordCodec.copyOf(record, settings.retryTopicFor(taskTopic), headers, Set.of()),
        message,
        onWritten);
  }

  /**
   * Writes a copy of {@code record} to the dead-letter topic of {@code taskTopic} with {@code
   * reason}, the number of attempts made and where it was first consumed from.
   */
  void deadLetter(
      ConsumerRecord<byte[], byte[]> record,
      Message message,
      String taskTopic,
      String reason,
      int attempts,
      Runnable onWritten) {
    Map<String, String> headers = LanesHeaders.deadLetter(message, reason, attempts);
    send(
        "dead letter",
        RecordCodec.copyOf(record, settings.deadLetterTopicFor(taskTopic), headers, RETRY_ONLY),
        message,
        onWritten);
  }

  /**
   * Waits until every write so far is confirmed or failed, at most {@code timeout}.
   *
   * @return whether none is in flight any more
   */
  boolean awaitWritten(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (inFlight) {
      while (inFlight.get() > 0) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          return false;
        }
        inFlight.wait(Math.max(1, remaining / 1_000_000));
      }
      return true;
    }
  }

  private void send(
      String what, ProducerRecord<byte[], byte[]> record, Message message, Runnable onWritten) {
    inFlight.incrementAndGet();
    try {
      producer.send(
          record,
          (metadata, error) -> {
            try {
              if (error == null) {
                onWritten.run();
              } else {
                failed(what, record.topic(), message, error);
              }
            } finally {
              written();
            }
          });
    } catch (RuntimeException e) {
      failed(what, record.topic(), message, e);
      written();
    }
  }

  private void written() {
    if (inFlight.decrementAndGet() == 0) {
      synchronized (inFlight) {
        inFlight.notifyAll();
      }
    }
  }

  private void failed(String what, String topic, Message message, Exception error) {
    log.error(
        "task '{}': could not write the {} of {} to topic '{}' ({}); the message stays unsettled"
            + " and is consumed again after a restart or rebalance",
        settings.task(),
        what,
        message,
        topic,
        error.toString());
  }
}
