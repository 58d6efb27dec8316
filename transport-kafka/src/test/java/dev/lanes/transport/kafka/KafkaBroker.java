package dev.lanes.transport.kafka;

import dev.lanes.spi.TaskConfig;
import dev.lanes.testing.Tasks;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The real broker the tests use ({@code scripts/brokers.sh start kafka}, 127.0.0.1:9092), with
 * helpers for unique topics and groups. A test that cannot reach it fails, never skips.
 */
final class KafkaBroker {

  static final String BOOTSTRAP = System.getProperty("lanes.kafka.bootstrap", "127.0.0.1:9092");

  private static Admin admin;

  private KafkaBroker() {}

  /** A name unique to this run: {@code <scenario>-<random>}. */
  static String unique(String scenario) {
    return scenario + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Creates {@code topic} with {@code partitions}; fails the test if the broker is not there. */
  static String createTopic(String topic, int partitions) {
    return createTopic(topic, partitions, Map.of());
  }

  /** Creates {@code topic} with {@code partitions} and topic {@code configs}. */
  static String createTopic(String topic, int partitions, Map<String, String> configs) {
    try {
      admin()
          .createTopics(
              List.of(
                  new NewTopic(topic, Optional.of(partitions), Optional.empty()).configs(configs)))
          .all()
          .get(15, TimeUnit.SECONDS);
      return topic;
    } catch (Exception e) {
      throw new AssertionError(
          "could not create topic "
              + topic
              + " on the Kafka broker at "
              + BOOTSTRAP
              + " (start it with scripts/brokers.sh start kafka): "
              + e,
          e);
    }
  }

  /** The group's committed offsets of {@code topic}'s partitions (absent: nothing committed). */
  static Map<Integer, Long> committed(String group, String topic) throws Exception {
    Map<Integer, Long> offsets = new HashMap<>();
    Map<TopicPartition, OffsetAndMetadata> all =
        admin()
            .listConsumerGroupOffsets(group)
            .partitionsToOffsetAndMetadata()
            .get(15, TimeUnit.SECONDS);
    all.forEach(
        (partition, offset) -> {
          if (partition.topic().equals(topic) && offset != null) {
            offsets.put(partition.partition(), offset.offset());
          }
        });
    return offsets;
  }

  /** A kafka task over {@link Tasks#task} on a fresh topic and group, {@code overrides} on top. */
  static TaskConfig task(String name, String topic, String group, Map<String, Object> overrides) {
    Map<String, Object> config = new HashMap<>();
    config.put("transport", "kafka");
    config.put("kafka.bootstrap", BOOTSTRAP);
    config.put("kafka.topic", topic);
    config.put("kafka.group", group);
    config.put("kafka.connectTimeout", "15s");
    // members learn of a rebalance at their next heartbeat: keep test rebalances short
    config.put("kafka.consumer.heartbeat.interval.ms", 500);
    config.putAll(overrides);
    return Tasks.task(name, config);
  }

  static synchronized Admin admin() {
    if (admin == null) {
      admin = Admin.create(Map.of("bootstrap.servers", BOOTSTRAP));
    }
    return admin;
  }
}
