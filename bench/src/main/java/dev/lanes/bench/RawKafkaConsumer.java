package dev.lanes.bench;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The Kafka baseline: a plain {@link KafkaConsumer} poll loop on one thread that handles every
 * record of a poll and then commits the poll's offsets with {@code commitAsync}; auto-commit off,
 * the client's other defaults.
 */
final class RawKafkaConsumer implements AutoCloseable {

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private volatile boolean running = true;

  RawKafkaConsumer(String bootstrap, String topic, String group, DrainTally tally) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    thread = new Thread(() -> loop(topic, tally), "bench-raw-kafka-poll");
    thread.start();
  }

  private void loop(String topic, DrainTally tally) {
    try (KafkaConsumer<byte[], byte[]> c = consumer) {
      c.subscribe(List.of(topic));
      while (running) {
        ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(100));
        for (ConsumerRecord<byte[], byte[]> r : records) {
          tally.handled(r.value());
        }
        if (!records.isEmpty()) {
          c.commitAsync();
        }
      }
      c.commitSync();
    } catch (WakeupException e) {
      // close() woke the poll: the loop ends here
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    consumer.wakeup();
    thread.join();
  }
}
