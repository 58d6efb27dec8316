package dev.lanes.bench;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Kafka: a topic of one partition per run, filled by a batching producer; Lanes' kafka transport
 * against {@link RawKafkaConsumer}, each in a fresh consumer group.
 */
final class KafkaDrain implements DrainBroker {

  private final DrainSettings settings;

  KafkaDrain(DrainSettings settings) {
    this.settings = settings;
  }

  @Override
  public String name() {
    return "kafka";
  }

  @Override
  public int defaultRecords() {
    return 2_000_000;
  }

  @Override
  public boolean ordered() {
    return true;
  }

  @Override
  public String destination(String unique) {
    return "bench-drain-" + unique;
  }

  @Override
  public void preload(String topic, int records) throws Exception {
    try (Admin admin = admin()) {
      admin
          .createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
    props.put(ProducerConfig.ACKS_CONFIG, "1");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 10);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
    props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024);
    AtomicReference<Exception> failure = new AtomicReference<>();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      int keys = settings.keys();
      byte[][] keyBytes = new byte[keys][];
      for (int k = 0; k < keys; k++) {
        keyBytes[k] = DrainPayload.key(k).getBytes(StandardCharsets.UTF_8);
      }
      for (int i = 0; i < records && failure.get() == null; i++) {
        producer.send(
            new ProducerRecord<>(
                topic, keyBytes[i % keys], DrainPayload.value(i % keys, i / keys, settings.size())),
            (metadata, e) -> {
              if (e != null) {
                failure.compareAndSet(null, e);
              }
            });
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("preloading " + topic + " failed", failure.get());
    }
  }

  @Override
  public AutoCloseable lanes(String topic, DrainTally tally) {
    return new LanesDrain(
        "kafka",
        Map.of(
            "kafka.bootstrap",
            settings.bootstrap(),
            "kafka.topic",
            topic,
            "kafka.group",
            topic + "-lanes",
            "kafka.connectTimeout",
            "30s"),
        settings.lanes(),
        tally);
  }

  @Override
  public AutoCloseable raw(String topic, DrainTally tally) {
    return new RawKafkaConsumer(settings.bootstrap(), topic, topic + "-raw", tally);
  }

  /** The topic, the retry and dead-letter topics Lanes made for it, and both groups. */
  @Override
  public void delete(String topic) throws Exception {
    try (Admin admin = admin()) {
      List<String> topics =
          admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
              .filter(t -> t.equals(topic) || t.startsWith(topic + "."))
              .toList();
      admin.deleteTopics(topics).all().get(30, TimeUnit.SECONDS);
      List<String> groups =
          admin.listConsumerGroups().all().get(30, TimeUnit.SECONDS).stream()
              .map(g -> g.groupId())
              .filter(g -> g.startsWith(topic + "-"))
              .toList();
      admin.deleteConsumerGroups(groups).all().get(30, TimeUnit.SECONDS);
    }
  }

  private Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap()));
  }
}
