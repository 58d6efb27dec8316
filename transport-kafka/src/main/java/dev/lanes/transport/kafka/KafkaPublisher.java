package dev.lanes.transport.kafka;

import dev.lanes.api.Message;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.TransportContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

/**
 * Publishes to the task's (first) topic with an idempotent {@code acks=all} producer: key and
 * header values as UTF-8, the payload as is, the partition chosen by Kafka's partitioner from the
 * key. Thread-safe.
 */
final class KafkaPublisher implements Publisher {

  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final Duration closeTimeout;

  KafkaPublisher(Producer<byte[], byte[]> producer, String topic, Duration closeTimeout) {
    this.producer = producer;
    this.topic = topic;
    this.closeTimeout = closeTimeout;
  }

  /**
   * A publisher to the task's first topic. Checks that the broker answers for the topic within
   * {@code kafka.connectTimeout} (with the broker's auto-creation on, this creates the topic).
   */
  static KafkaPublisher open(TransportContext context, KafkaSettings settings) {
    TaskConfig task = context.task();
    String topic = settings.topics().get(0);
    Producer<byte[], byte[]> producer;
    try {
      producer = new KafkaProducer<>(settings.producerProperties());
    } catch (KafkaException e) {
      throw task.invalid("kafka", "settings a Kafka client accepts", e);
    }
    try {
      producer.partitionsFor(topic);
    } catch (KafkaException e) {
      producer.close(Duration.ZERO);
      throw task.invalid(
          "kafka.topic",
          "topic '"
              + topic
              + "' available on "
              + settings.bootstrap()
              + " within "
              + settings.connectTimeout()
              + " (is the broker up and does the topic exist?)",
          e);
    }
    return new KafkaPublisher(producer, topic, settings.commitTimeout());
  }

  @Override
  public void publish(Message message) throws Exception {
    confirm(producer.send(RecordCodec.toRecord(topic, message)));
  }

  /** Sends all, then waits for every confirm: one round trip per batch, not per message. */
  @Override
  public void publishAll(List<Message> messages) throws Exception {
    List<Future<RecordMetadata>> sent = new ArrayList<>(messages.size());
    for (Message message : messages) {
      sent.add(producer.send(RecordCodec.toRecord(topic, message)));
    }
    for (Future<RecordMetadata> future : sent) {
      confirm(future);
    }
  }

  private static void confirm(Future<RecordMetadata> future) throws Exception {
    try {
      future.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  @Override
  public void close() {
    producer.close(closeTimeout);
  }
}
