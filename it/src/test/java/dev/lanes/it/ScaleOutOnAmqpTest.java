package dev.lanes.it;

import static dev.lanes.it.ScaleOutRunners.awaitAll;
import static dev.lanes.it.ScaleOutRunners.awaitHandled;
import static dev.lanes.it.ScaleOutRunners.terminateAll;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.it.Recorded.Handled;
import dev.lanes.runtime.Transports;
import dev.lanes.spi.Publisher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several runners on one partitioned RabbitMQ task ({@code amqp.partitions}), as separate processes
 * on the shared broker: three start, the one whose consumers are active is killed with SIGKILL, and
 * another joins mid-stream, all appending to one record. Keyed messages come from RabbitMQ's Java
 * client with the key in the {@code lanes-key} header, as documented for foreign publishers. The
 * combined record loses nothing and keeps each key's order (first handlings in sequence);
 * duplicates come only from the killed runner's prefetch window. Prints the hand-over time: from
 * the SIGKILL until every key that still had events waiting was handled again.
 *
 * <p>Each partition queue has a single active consumer, the first to subscribe; runners that
 * subscribe later wait in line. Runners started together split the queues by who came first to
 * each, anything from one runner on all of them to a spread; the test kills whichever runner is
 * active on the most queues and checks that the others took every one of them over.
 */
@Tag("broker")
class ScaleOutOnAmqpTest {

  private static final String URI = "amqp://guest:guest@127.0.0.1:5672";
  private static final int PARTITIONS = 6;
  private static final int KEYS = 60;
  private static final int PER_KEY = 100;
  private static final int LANES = 4;
  private static final int CHANNEL_LENGTH = 16;

  /** What a runner logs when one of its consumers gets the first delivery of a queue. */
  private static final Pattern ACTIVE =
      Pattern.compile("queue '([^']+)' delivers to this runner now");

  private static final Pattern ORDER_ID = Pattern.compile("\"order_id\":(\\d+)");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void threeRunnersOneKilledOneAddedLoseNothingAndKeepEachKeysOrder() throws Exception {
    BrokerTargets.Amqp amqp = new BrokerTargets.Amqp(dir);
    String name = "scaleout-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 4);
    declare(name);
    List<String[]> keyed = new ArrayList<>();
    for (String event : Recorded.orderEvents(KEYS, PER_KEY)) {
      Matcher id = ORDER_ID.matcher(event);
      assertThat(id.find()).isTrue();
      keyed.add(new String[] {id.group(1), event});
    }
    ForeignClients.rabbitPublishKeyed(URI, name + ".x", keyed);
    int total = KEYS * PER_KEY;
    Path record = dir.resolve("handled.jsonl");
    Path tasks = taskFile(amqp, name, record);

    List<RunnerProcess> runners = new ArrayList<>();
    try {
      for (int i = 1; i <= 3; i++) {
        runners.add(runner(i, tasks));
      }
      awaitHandled(record, total / 5, runners);
      RunnerProcess killed =
          runners.stream().max(Comparator.comparing(r -> activeQueues(r).size())).orElseThrow();
      Set<String> orphaned = activeQueues(killed);
      assertThat(orphaned).as("queues active on the runner to kill").isNotEmpty();
      runners.remove(killed);
      killed.kill();
      long killedAt = System.currentTimeMillis();
      awaitHandled(record, total * 2 / 5, runners);
      runners.add(runner(4, tasks));
      awaitAll(record, total, Duration.ofSeconds(120));
      Set<String> takenOver = new HashSet<>();
      runners.forEach(r -> takenOver.addAll(activeQueues(r)));
      assertThat(takenOver).as("queues active on the runners left").containsAll(orphaned);
      terminateAll(runners);
      List<Handled> handled = Recorded.handledOrderEvents(record);
      FaultRecord result =
          FaultRecord.of(
              "amqp",
              "three runners, one killed, one added",
              handled,
              KEYS,
              PER_KEY,
              amqp.redeliveryBound(LANES, CHANNEL_LENGTH, 0),
              FaultRecord.NOT_MEASURED);
      System.out.printf(
          "scale out on amqp (%d partitions, %d of them active on the killed runner): %s;"
              + " hand-over after SIGKILL %d ms%n",
          PARTITIONS, orphaned.size(), result, handOverMillis(record, killedAt));
      assertThat(result.lost()).as(result.toString()).isZero();
      assertThat(result.reorderedKeys()).as(result.toString()).isZero();
      assertThat(result.duplicates())
          .as(result.toString())
          .isLessThanOrEqualTo(result.redeliveryBound());
    } finally {
      runners.forEach(RunnerProcess::close);
      deleteTopology(name);
    }
  }

  /** Lanes' publisher declares the task's topology when it opens: exchange and queues. */
  private static void declare(String name) throws Exception {
    try (Publisher declaring =
        Transports.load("amqp")
            .openPublisher(
                TaskConfigLoader.forTask(
                    "orders",
                    Map.of(
                        "transport", "amqp",
                        "amqp.uri", URI,
                        "amqp.exchange", name + ".x",
                        "amqp.queue", name,
                        "amqp.partitions", PARTITIONS)))) {
      // nothing to publish
    }
  }

  /** The task's queues (partitions, dead letters, retry tiers) and exchanges. */
  private static void deleteTopology(String name) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(URI);
    try (Connection connection = factory.newConnection("it-cleanup");
        Channel channel = connection.createChannel()) {
      ProcessBuilder list =
          new ProcessBuilder("rabbitmqctl", "-q", "list_queues", "name").redirectErrorStream(true);
      Process process = list.start();
      String queues = new String(process.getInputStream().readAllBytes());
      process.waitFor();
      for (String queue : queues.split("\n")) {
        if (queue.trim().startsWith(name + ".")) {
          channel.queueDelete(queue.trim());
        }
      }
      channel.exchangeDelete(name + ".x");
      channel.exchangeDelete(name + ".dlx");
    }
  }

  /** The queues whose first delivery a runner logged (its consumer there is the active one). */
  private static Set<String> activeQueues(RunnerProcess runner) {
    Set<String> queues = new HashSet<>();
    Matcher m = ACTIVE.matcher(runner.output());
    while (m.find()) {
      queues.add(m.group(1));
    }
    return queues;
  }

  private RunnerProcess runner(int n, Path tasks) throws Exception {
    return ScaleOutRunners.start(dir, n, "amqp", tasks, Map.of());
  }

  private Path taskFile(BrokerTargets.Amqp amqp, String name, Path record) throws Exception {
    return ScaleOutRunners.taskFile(
        dir,
        LANES,
        CHANNEL_LENGTH,
        record,
        "amqp { uri = \"%s\", exchange = %s.x, queue = %s, partitions = %d }\n%s"
            .formatted(URI, name, name, PARTITIONS, amqp.quickRedelivery()));
  }

  /**
   * From {@code killedAt} until the last key that was waiting then was handled again: the killed
   * runner's keys wait for the broker to notice its connection closed and make a standby's consumer
   * active.
   */
  private static long handOverMillis(Path record, long killedAt) throws Exception {
    Map<String, Long> firstAfterKill = new HashMap<>();
    for (String line : Files.readAllLines(record)) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode node;
      try {
        node = JSON.readTree(line);
      } catch (JsonProcessingException torn) {
        continue; // a line the killed runner was writing
      }
      long at = node.get("at").asLong();
      if (at >= killedAt) {
        firstAfterKill.putIfAbsent(node.get("key").asText(), at);
      }
    }
    return firstAfterKill.values().stream().mapToLong(at -> at - killedAt).max().orElse(-1);
  }
}
