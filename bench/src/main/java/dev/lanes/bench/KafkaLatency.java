package dev.lanes.bench;

import dev.lanes.spi.Transport;
import dev.lanes.transport.kafka.KafkaTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Kafka: one fresh single-partition topic per run (so the broker keeps per-key order), a {@link
 * KafkaProducer} with {@code linger.ms = 0}, and as the baseline a plain {@link KafkaConsumer} poll
 * loop with the consumer settings Lanes uses (earliest, cooperative-sticky, auto-commit off) and
 * {@code commitAsync} after every poll that returned records.
 */
final class KafkaLatency implements LatencyTransport {

  private final String bootstrap;
  private final Admin admin;
  private final KafkaProducer<String, byte[]> producer;
  private final List<String> topics = new ArrayList<>();

  KafkaLatency(String bootstrap) {
    this.bootstrap = bootstrap;
    this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  @Override
  public String name() {
    return "kafka";
  }

  @Override
  public String rawName() {
    return "KafkaConsumer poll loop";
  }

  @Override
  public boolean ordered() {
    return true;
  }

  @Override
  public Transport transport() {
    return new KafkaTransport();
  }

  @Override
  public String newDestination() throws Exception {
    String topic = "bench-latency-" + UUID.randomUUID();
    admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    topics.add(topic);
    return topic;
  }

  @Override
  public Map<String, Object> lanesConfig(String topic) {
    return Map.of(
        "transport",
        "kafka",
        "kafka.bootstrap",
        bootstrap,
        "kafka.topic",
        topic,
        "kafka.group",
        topic + "-lanes",
        "kafka.connectTimeout",
        "30s");
  }

  @Override
  public PacedProducer.Sender sender(String topic) {
    return new PacedProducer.Sender() {
      @Override
      public void send(List<PacedProducer.Due> batch) {
        for (PacedProducer.Due due : batch) {
          producer.send(new ProducerRecord<>(topic, Integer.toString(due.key()), due.payload()));
        }
      }

      @Override
      public void close() {
        producer.flush();
      }
    };
  }

  @Override
  public AutoCloseable startRaw(String topic, LatencyProbe probe) throws Exception {
    RawConsumer raw = new RawConsumer(topic, probe);
    Thread thread = new Thread(raw, "bench-raw-kafka-poll");
    thread.start();
    if (!raw.assigned.await(30, TimeUnit.SECONDS)) {
      raw.close();
      throw new IllegalStateException("the raw Kafka consumer got no partition in 30 s");
    }
    return () -> {
      raw.close();
      thread.join();
    };
  }

  /** The baseline poll loop on its own thread. */
  private final class RawConsumer implements Runnable, ConsumerRebalanceListener {
    private final String topic;
    private final LatencyProbe probe;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final CountDownLatch assigned = new CountDownLatch(1);
    private volatile boolean closing;

    RawConsumer(String topic, LatencyProbe probe) {
      this.topic = topic;
      this.probe = probe;
      Properties props = new Properties();
      props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      props.put(ConsumerConfig.GROUP_ID_CONFIG, topic + "-raw");
      props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      props.put(
          ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
          CooperativeStickyAssignor.class.getName());
      this.consumer =
          new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public void run() {
      try (consumer) {
        consumer.subscribe(List.of(topic), this);
        while (!closing) {
          ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
          for (ConsumerRecord<byte[], byte[]> record : records) {
            probe.received(record.value());
          }
          if (!records.isEmpty()) {
            consumer.commitAsync();
          }
        }
        consumer.commitSync(); // completes the async commits too, so close has nothing pending
      }
    }

    /** The loop ends within one poll timeout (no wakeup: it would leave commits pending). */
    void close() {
      closing = true;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (!partitions.isEmpty()) {
        assigned.countDown();
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}
  }

  @Override
  public void close() throws Exception {
    producer.close();
    try {
      // with the retry and dead-letter topics Lanes created next to each: <topic>.<group>.retry,
      // <topic>.DLT
      List<String> created =
          admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
              .filter(name -> topics.stream().anyMatch(name::startsWith))
              .toList();
      admin.deleteTopics(created).all().get(30, TimeUnit.SECONDS);
    } finally {
      admin.close();
    }
  }
}
