package dev.lanes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigFactory;
import dev.lanes.api.Message;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.runner.ServiceHarness.Result;
import dev.lanes.runtime.Transports;
import dev.lanes.samples.SampleOrders;
import dev.lanes.spi.Publisher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code status} and {@code /metrics} show which partitions a runner owns: the partitions of a
 * Kafka topic assigned to it, and the partition queues of an {@code amqp.partitions} task it is the
 * single active consumer of.
 */
@Tag("broker")
class OwnedPartitionsTest {

  private static final String AMQP_URI = "amqp://guest:guest@127.0.0.1:5672";
  private static final String OWNED = "partitions owned";
  private static final String GAUGE = "lanes_source_partitions_owned";

  @TempDir Path dir;

  private ServiceHarness service;

  @AfterEach
  void cleanUp() {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void theOnlyRunnerOfAThreePartitionTopicOwnsAllThree() throws Exception {
    String topic = unique("owned_kafka_");
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092"))) {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
    }
    String http =
        start(
            """
            system { transport = kafka, deliverBy = order_id, http.port = 0 }
            orders {
              handler = dev.lanes.runner.ScriptedHandler
              kafka { topic = %s, group = %s }
            }
            """
                .formatted(topic, topic));

    await().atMost(Duration.ofSeconds(30)).until(() -> service.fact(OWNED).startsWith("3 "));
    assertThat(service.fact(OWNED))
        .as("the task's topic only, not its retry topic")
        .isEqualTo("3 (%s-0 %s-1 %s-2)", topic, topic, topic);
    assertThat(gauge(http)).isEqualTo(3.0);
  }

  @Test
  void theOnlyRunnerOfThreePartitionQueuesOwnsEachOnceItDelivers() throws Exception {
    String queue = unique("owned-amqp-");
    Map<String, Object> amqp =
        Map.of(
            "transport",
            "amqp",
            "amqp.uri",
            AMQP_URI,
            "amqp.exchange",
            queue + ".x",
            "amqp.queue",
            queue,
            "amqp.partitions",
            3);
    String http =
        start(
            """
            system { transport = amqp, deliverBy = order_id, http.port = 0 }
            orders {
              handler = dev.lanes.runner.ScriptedHandler
              amqp { uri = "%s", exchange = %s.x, queue = %s, partitions = 3 }
            }
            """
                .formatted(AMQP_URI, queue, queue));
    assertThat(service.fact(OWNED))
        .as("AMQP tells a consumer it is active only by delivering to it")
        .isEqualTo("0");
    assertThat(gauge(http)).isZero();

    List<Message> messages = new ArrayList<>();
    new SampleOrders(ConfigFactory.parseMap(Map.of("count", 60, "orders", 30)))
        .forEach(messages::add);
    try (Publisher publisher =
        Transports.load("amqp").openPublisher(TaskConfigLoader.forTask("orders", amqp))) {
      publisher.publishAll(messages);
    }

    await().atMost(Duration.ofSeconds(30)).until(() -> service.number("acked") == 60);
    assertThat(service.fact(OWNED)).isEqualTo("3 (%s.0 %s.1 %s.2)", queue, queue, queue);
    assertThat(gauge(http)).isEqualTo(3.0);
  }

  /** Starts the service on {@code conf}; returns its HTTP address. */
  private String start(String conf) {
    service = new ServiceHarness(dir, "orders");
    service.writeConf(conf);
    Result start = service.command("start");
    assertThat(start.code()).as(start + service.diagnostics()).isZero();
    return ServiceHarness.fact(start.out(), "http");
  }

  private double gauge(String http) throws Exception {
    String scrape = service.get(http, "/metrics").body();
    return ServiceHarness.sample(scrape, GAUGE, "lanes_task=\"orders\"");
  }

  private static String unique(String prefix) {
    return prefix + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 4);
  }
}
