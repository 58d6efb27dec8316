package dev.lanes.bench;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A one-partition topic filled by a batching producer (1 MiB batches, lz4, acks = 1: the broker has
 * every record once {@code flush} returns). The client may hold one poll of {@code
 * max.poll.records} decoded records beyond the lanes, plus one fetch of {@code
 * max.partition.fetch.bytes} raw bytes per partition.
 */
final class KafkaBacklog implements Backlog {

  /** kafka-clients' defaults, which the workload does not change. */
  private static final int MAX_POLL_RECORDS = 500;

  private static final int MAX_PARTITION_FETCH_BYTES = 1024 * 1024;

  private final String bootstrap;

  KafkaBacklog(BacklogMemoryWorkload.Settings settings) {
    this.bootstrap = settings.kafka();
  }

  @Override
  public String transport() {
    return "kafka";
  }

  @Override
  public void create(String topic) throws Exception {
    try (Admin admin = admin()) {
      admin
          .createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  @Override
  public void preload(String topic, long count, Payloads payloads) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 1024 * 1024);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    props.put(ProducerConfig.ACKS_CONFIG, "1");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1); // keeps order on retries
    props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024);
    AtomicReference<Exception> failure = new AtomicReference<>();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (long i = 0; i < count && failure.get() == null; i++) {
        producer.send(
            new ProducerRecord<>(topic, payloads.bytes(i)),
            (meta, e) -> {
              if (e != null) {
                failure.compareAndSet(null, e);
              }
            });
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw failure.get();
    }
  }

  @Override
  public Map<String, Object> taskSettings(String topic) {
    return Map.of(
        "transport", "kafka",
        "kafka.bootstrap", bootstrap,
        "kafka.topic", topic,
        "kafka.group", topic,
        "kafka.connectTimeout", "60s");
  }

  @Override
  public ClientBuffer clientBuffer(Map<String, Object> task) {
    return new ClientBuffer(
        MAX_POLL_RECORDS,
        MAX_PARTITION_FETCH_BYTES,
        false,
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG
            + " (500) + "
            + ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG
            + " (1 MiB) × 1 partition");
  }

  @Override
  public void delete(String topic) {
    try (Admin admin = admin()) {
      admin
          .deleteTopics(List.of(topic, topic + "." + topic + ".retry", topic + ".DLT"))
          .topicNameValues()
          .values()
          .forEach(
              f -> {
                try {
                  f.get(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } catch (ExecutionException | TimeoutException e) {
                  // a topic the task never created
                }
              });
    }
  }

  private Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
  }
}
