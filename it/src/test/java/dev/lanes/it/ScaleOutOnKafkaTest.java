package dev.lanes.it;

import static dev.lanes.it.ScaleOutRunners.awaitAll;
import static dev.lanes.it.ScaleOutRunners.awaitHandled;
import static dev.lanes.it.ScaleOutRunners.terminateAll;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lanes.it.Recorded.Handled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several runners on one task, as separate processes on one Kafka broker: three start, one is
 * killed with SIGKILL and another joins mid-stream, all appending to one record. The combined
 * record loses nothing and keeps each key's order (first handlings in sequence); duplicates come
 * only from the killed runner's uncommitted window. Prints the hand-over time: from the SIGKILL
 * until every key that still had events waiting was handled again.
 */
@Tag("broker")
class ScaleOutOnKafkaTest {

  private static final int PARTITIONS = 6;
  private static final int KEYS = 60;
  private static final int PER_KEY = 100;
  private static final int LANES = 4;
  private static final int CHANNEL_LENGTH = 16;

  /** Three runners at 2 ms a message on each of their lanes. */
  private static final int PER_SECOND = 3 * LANES * 500;

  @TempDir Path dir;

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void threeRunnersOneKilledOneAddedLoseNothingAndKeepEachKeysOrder() throws Exception {
    BrokerTargets.Kafka kafka = new BrokerTargets.Kafka(dir);
    String topic = "scaleout-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 4);
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.upstream()))) {
      admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get();
    }
    kafka.publishMany(topic, Recorded.orderEvents(KEYS, PER_KEY));
    int total = KEYS * PER_KEY;
    List<Handled> inLog = Recorded.orderEventsIn(kafka.valuesInLogOrder(topic));
    assertThat(inLog).as("events in the topic").hasSize(total);
    assertThat(FaultRecord.reorderedKeys(inLog))
        .as("keys whose events the producer left out of sequence in the topic")
        .isEmpty();
    Path record = dir.resolve("handled.jsonl");
    Path tasks = taskFile(kafka, topic, record);

    List<RunnerProcess> runners = new ArrayList<>();
    try {
      for (int i = 1; i <= 3; i++) {
        runners.add(runner(i, tasks));
      }
      awaitHandled(record, total / 5, runners);
      RunnerProcess killed = runners.remove(1);
      killed.kill();
      long killedAt = System.currentTimeMillis();
      awaitHandled(record, total * 2 / 5, runners);
      runners.add(runner(4, tasks));
      awaitAll(record, total, Duration.ofSeconds(120));
      terminateAll(runners);
      List<Handled> handled = Recorded.handledOrderEvents(record);
      FaultRecord result =
          FaultRecord.of(
              "kafka",
              "three runners, one killed, one added",
              handled,
              KEYS,
              PER_KEY,
              kafka.redeliveryBound(LANES, CHANNEL_LENGTH, PER_SECOND),
              FaultRecord.NOT_MEASURED);
      System.out.printf(
          "scale out on kafka: %s; hand-over after SIGKILL %d ms%n",
          result, handOverMillis(record, killedAt));
      assertThat(result.lost()).as(result.toString()).isZero();
      assertThat(result.reorderedKeys()).as(result.toString()).isZero();
      assertThat(result.duplicates())
          .as(result.toString())
          .isLessThanOrEqualTo(result.redeliveryBound());
    } finally {
      runners.forEach(RunnerProcess::close);
    }
  }

  private RunnerProcess runner(int n, Path tasks) throws Exception {
    return ScaleOutRunners.start(dir, n, "kafka", tasks, Map.of());
  }

  private Path taskFile(BrokerTargets.Kafka kafka, String topic, Path record) throws Exception {
    return ScaleOutRunners.taskFile(
        dir,
        LANES,
        CHANNEL_LENGTH,
        record,
        kafka.destination(topic) + "\n" + kafka.quickRedelivery());
  }

  /**
   * From {@code killedAt} until the last key that was waiting then was handled again: the killed
   * runner's keys wait for the group to notice it died; the others' flow on.
   */
  private static long handOverMillis(Path record, long killedAt) throws Exception {
    Map<String, Long> firstAfterKill = new HashMap<>();
    for (String line : Files.readAllLines(record)) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode node = JSON.readTree(line);
      long at = node.get("at").asLong();
      if (at >= killedAt) {
        firstAfterKill.putIfAbsent(node.get("key").asText(), at);
      }
    }
    return firstAfterKill.values().stream().mapToLong(at -> at - killedAt).max().orElse(-1);
  }
}
