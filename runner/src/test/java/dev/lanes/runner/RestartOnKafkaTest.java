package dev.lanes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.lanes.api.Message;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.runner.ServiceHarness.Result;
import dev.lanes.runtime.Transports;
import dev.lanes.samples.SampleOrders;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.TaskConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runner restart} in the middle of a Kafka topic loses nothing: the old process drains and
 * commits, the new one resumes from the committed offsets; per-key order holds across both.
 */
@Tag("broker")
class RestartOnKafkaTest {

  private static final int MESSAGES = 6000;
  private static final int ORDERS = 60;

  @TempDir Path dir;

  private ServiceHarness service;

  @AfterEach
  void cleanUp() {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void restartMidStreamLosesNothingAndKeepsPerKeyOrder() throws Exception {
    String topic = "ops_restart_" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    publish(topic);
    Path record = dir.resolve("handled.jsonl");
    service = new ServiceHarness(dir, "orders");
    service.writeConf(
        """
        system { transport = kafka, deliverBy = order_id, http.port = 0 }
        orders {
          handler = dev.lanes.runner.ScriptedHandler
          consumerNum = 8
          channelLength = 16
          script.work = 2ms
          record.file = "%s"
          kafka { topic = %s, group = %s }
        }
        """
            .formatted(record, topic, topic));

    Result start = service.command("start");
    assertThat(start.code()).as(start + service.diagnostics()).isZero();
    long firstPid = service.pid();
    String http = ServiceHarness.fact(start.out(), "http");
    await().atMost(Duration.ofSeconds(60)).until(() -> service.number("acked") >= 800);
    String scrape = service.get(http, "/metrics").body();
    assertThat(
            ServiceHarness.sample(
                scrape,
                "messaging_client_consumed_messages_total",
                "messaging_system=\"kafka\"",
                "messaging_destination_name=\"" + topic + "\"",
                "messaging_consumer_group_name=\"" + topic + "\""))
        .isPositive();
    assertThat(scrape).contains("lanes_backlog{");

    Result restart = service.command("restart");
    assertThat(restart.code()).as(restart + service.diagnostics()).isZero();
    assertThat(restart.out())
        .contains("development/orders: stopped cleanly")
        .contains("started development/orders");
    long handledByFirst = Files.readAllLines(record).size();
    assertThat(handledByFirst).as("the restart came mid-stream").isLessThan(MESSAGES - 1000);
    assertThat(service.pid()).isNotEqualTo(firstPid);
    assertThat(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();

    await().atMost(Duration.ofSeconds(90)).until(() -> handled(record).size() >= MESSAGES);
    Result stop = service.command("stop");
    assertThat(stop.code()).as(stop.toString()).isZero();

    List<JsonNode> lines = handled(record);
    Set<String> distinct = new HashSet<>();
    Map<Long, List<Long>> seqs = new HashMap<>();
    for (JsonNode line : lines) {
      distinct.add(line.get("order").asLong() + "/" + line.get("seq").asLong());
      seqs.computeIfAbsent(line.get("order").asLong(), k -> new ArrayList<>())
          .add(line.get("seq").asLong());
    }
    assertThat(distinct).as("every message handled").hasSize(MESSAGES);
    assertThat(lines)
        .as("a clean stop commits all it handled: nothing handled twice")
        .hasSize(MESSAGES);
    seqs.forEach((order, list) -> assertThat(list).as("order %s", order).isSorted());
  }

  private static void publish(String topic) throws Exception {
    TaskConfig task =
        TaskConfigLoader.forTask(
            "orders", Map.of("transport", "kafka", "kafka.topic", topic, "kafka.group", topic));
    List<Message> messages = new ArrayList<>();
    new SampleOrders(ConfigFactory.parseMap(Map.of("count", MESSAGES, "orders", ORDERS)))
        .forEach(messages::add);
    try (Publisher publisher = Transports.load("kafka").openPublisher(task)) {
      publisher.publishAll(messages);
    }
  }

  private static List<JsonNode> handled(Path record) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(record)) {
      lines.add(json.readTree(line));
    }
    return lines;
  }
}
