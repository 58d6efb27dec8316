package dev.lanes.transport.kafka;

import static dev.lanes.transport.kafka.KafkaBroker.createTopic;
import static dev.lanes.transport.kafka.KafkaBroker.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lanes.api.Message;
import dev.lanes.api.Outcome;
import dev.lanes.conformance.RecordingHandler;
import dev.lanes.runtime.TaskRuntime;
import dev.lanes.runtime.TaskState;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.TaskConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A consumer that can never poll again — here fenced by another member with the same static {@code
 * group.instance.id}, a deployment mistake — ends its task FAILED, after the lanes finish what they
 * hold, instead of idling as if the topic were empty.
 */
@Tag("broker")
class KafkaFencedTest {

  @Test
  void aFencedConsumerEndsItsTaskFailedAfterFinishingWhatItHeld() throws Exception {
    String topic = createTopic(unique("fenced"), 1);
    String group = unique("fenced-group");
    TaskConfig task =
        KafkaBroker.task(
            "fenced",
            topic,
            group,
            Map.of("consumerNum", 2, "kafka.consumer.group.instance.id", "replica-1"));
    try (Publisher publisher = new KafkaTransport().openPublisher(task)) {
      publisher.publishAll(
          IntStream.range(0, 20)
              .mapToObj(i -> Message.builder().key("k" + i).payload("{}").build())
              .toList());
    }
    RecordingHandler handler = new RecordingHandler(m -> Outcome.ack());
    TaskRuntime runtime =
        TaskRuntime.create(task, new KafkaTransport(), handler, new SimpleMeterRegistry());
    runtime.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> handler.acked().size() == 20);

    try (KafkaConsumer<byte[], byte[]> impostor = new KafkaConsumer<>(impostor(group))) {
      impostor.subscribe(List.of(topic));
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                impostor.poll(Duration.ofMillis(200));
                return runtime.state() == TaskState.FAILED;
              });
    } finally {
      runtime.stop();
    }
    assertThat(runtime.isReady()).isFalse();
    assertThat(handler.acked()).hasSize(20);
  }

  private static Properties impostor(String group) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.BOOTSTRAP);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "replica-1");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return props;
  }
}
