package dev.lanes.transport.kafka;

import dev.lanes.spi.BrokerTransport;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.Source;
import dev.lanes.spi.StopMode;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.TransportContext;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;

/**
 * The {@code kafka} transport: a consumer-group subscription per task on {@code
 * org.apache.kafka:kafka-clients}, committed offsets for acks, a retry topic for long retries and a
 * dead-letter topic for rejects. Stateless and thread-safe; found by {@link
 * java.util.ServiceLoader}.
 *
 * <p>Default stop mode {@code finish-running}: a record a stop releases is simply not committed, so
 * the group reads it again, in partition order, from the committed offset.
 */
public final class KafkaTransport extends BrokerTransport {

  public KafkaTransport() {
    super("kafka", "kafka", StopMode.FINISH_RUNNING);
  }

  /** The source; its threads are named by {@code context}. */
  @Override
  public Source openSource(TransportContext context) {
    return new KafkaSource(context, KafkaSettings.read(context.task()));
  }

  /**
   * A publisher to the task's first topic. Checks that the broker answers for the topic within
   * {@code kafka.connectTimeout} (with the broker's auto-creation on, this creates the topic).
   */
  @Override
  public Publisher openPublisher(TransportContext context) {
    TaskConfig task = context.task();
    KafkaSettings settings = KafkaSettings.read(task);
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
      producer.close(java.time.Duration.ZERO);
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
}
