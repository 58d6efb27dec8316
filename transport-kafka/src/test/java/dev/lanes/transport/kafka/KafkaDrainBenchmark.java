package dev.lanes.transport.kafka;

import dev.lanes.api.Outcome;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.runtime.TaskRuntime;
import dev.lanes.spi.TaskConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Not a test: drains a preloaded Kafka backlog as fast as the lanes go, again and again, and counts
 * the drains that stall (no progress for 10 s before the end): the workload that once lost a resume
 * in flow control. One partition, 100-byte records without keys, {@code consumerNum = 4}, {@code
 * deliverBy = key}, a handler that only acks, a fresh group per run. Needs the test Kafka broker
 * ({@code scripts/brokers.sh start}). From the repository root after {@code mvn -pl transport-kafka
 * -am test-compile}:
 *
 * <pre>
 * mvn -q -pl transport-kafka dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * CP=core/target/classes:transport-kafka/target/classes:transport-kafka/target/test-classes
 * java -cp "$CP:$(cat /tmp/cp.txt)" dev.lanes.transport.kafka.KafkaDrainBenchmark [runs] [records] [channelLength]
 * </pre>
 */
public final class KafkaDrainBenchmark {

  private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private KafkaDrainBenchmark() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int records = args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000;
    int channelLength = args.length > 2 ? Integer.parseInt(args[2]) : 1024;
    String topic = KafkaBroker.unique("drain-bench");
    preload(topic, records);
    int stalls = 0;
    for (int run = 1; run <= runs; run++) {
      Result result = drain(topic, records, channelLength, run);
      if (result.stalled) {
        stalls++;
      }
      System.out.printf(
          "run %2d: %s after %,d of %,d records, %,.0f msg/s%n",
          run, result.stalled ? "STALLED" : "drained", result.handled, records, result.rate);
    }
    System.out.printf("%d of %d drains stalled%n", stalls, runs);
  }

  private record Result(boolean stalled, long handled, double rate) {}

  private static Result drain(String topic, int records, int channelLength, int run) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("transport", "kafka");
    settings.put("consumerNum", 4);
    settings.put("channelLength", channelLength);
    settings.put("deliverBy", "key");
    settings.put("kafka.bootstrap", KafkaBroker.BOOTSTRAP);
    settings.put("kafka.topic", topic);
    settings.put("kafka.group", topic + "-run-" + run);
    TaskConfig task = TaskConfigLoader.forTask("drain_bench", settings);
    TaskRuntime runtime =
        TaskRuntime.create(
            task, new KafkaTransport(), m -> Outcome.ack(), new SimpleMeterRegistry());
    runtime.start();
    try {
      long started = System.nanoTime();
      long last = 0;
      long lastProgress = System.nanoTime();
      while (true) {
        long acked = runtime.stats().acked();
        long now = System.nanoTime();
        if (acked >= records) {
          return new Result(false, acked, acked / ((now - started) / 1e9));
        }
        if (acked != last) {
          last = acked;
          lastProgress = now;
        } else if (acked > 0 && now - lastProgress > STALL_NANOS) {
          return new Result(true, acked, acked / ((lastProgress - started) / 1e9));
        } else if (now - started > 4 * STALL_NANOS && acked == 0) {
          return new Result(true, 0, 0);
        }
        TimeUnit.MILLISECONDS.sleep(5);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      runtime.stop();
    }
  }

  private static void preload(String topic, int records) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.BOOTSTRAP);
    try (Admin admin = Admin.create(props)) {
      admin.createTopics(java.util.List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
    props.put(ProducerConfig.ACKS_CONFIG, "1");
    byte[] payload = new byte[100];
    java.util.Arrays.fill(payload, (byte) 'x');
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < records; i++) {
        producer.send(new ProducerRecord<>(topic, payload));
      }
      producer.flush();
    }
    System.out.printf("preloaded %,d records into %s%n", records, topic);
  }
}
