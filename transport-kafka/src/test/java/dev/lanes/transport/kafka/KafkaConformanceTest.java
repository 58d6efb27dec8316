package dev.lanes.transport.kafka;

import static dev.lanes.transport.kafka.KafkaBroker.createTopic;
import static dev.lanes.transport.kafka.KafkaBroker.unique;

import dev.lanes.conformance.Features;
import dev.lanes.conformance.TransportConformanceKit;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.Transport;
import java.util.Map;
import org.junit.jupiter.api.Tag;

/** The transport conformance kit against the real Kafka broker, each scenario on a fresh topic. */
@Tag("broker")
class KafkaConformanceTest extends TransportConformanceKit {

  /** Small polls keep the backpressure bound tight: a poll is handed out whole. */
  private static final int MAX_POLL_RECORDS = 40;

  @Override
  protected Transport transport() {
    return new KafkaTransport();
  }

  @Override
  protected Map<String, Object> destination(String scenario) {
    String name = unique(scenario.replace('_', '-'));
    return Map.of(
        "kafka.bootstrap",
        KafkaBroker.BOOTSTRAP,
        "kafka.topic",
        createTopic(name, 2),
        "kafka.group",
        name + "-group",
        "kafka.connectTimeout",
        "15s",
        "kafka.consumer.max.poll.records",
        MAX_POLL_RECORDS,
        "kafka.consumer.heartbeat.interval.ms",
        500);
  }

  @Override
  protected Map<String, Object> deadLetters(TaskConfig task) {
    String deadLetterTopic =
        task.config().getString("kafka.topic") + KafkaSettings.DEAD_LETTER_SUFFIX;
    return Map.of(
        "kafka.bootstrap",
        KafkaBroker.BOOTSTRAP,
        "kafka.topic",
        deadLetterTopic,
        "kafka.group",
        unique("dead-letters"),
        "kafka.connectTimeout",
        "15s",
        "kafka.consumer.heartbeat.interval.ms",
        500);
  }

  @Override
  protected Features features() {
    // a poll already fetched is handed out whole, by the task topics' and the retry topics' loop
    return Features.defaults().withFetchWindow(2 * MAX_POLL_RECORDS);
  }
}
