package dev.lanes.it;

import static dev.lanes.it.ScaleOutRunners.awaitAll;
import static dev.lanes.it.ScaleOutRunners.awaitHandled;
import static dev.lanes.it.ScaleOutRunners.terminateAll;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lanes.it.Recorded.Handled;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several runners on one partitioned NSQ task ({@code nsq.partitions = 6}), as separate processes
 * on the shared nsqd, each owning two partitions through {@code LANES_NSQ_OWNED_PARTITIONS} (static
 * ownership): {0,1}, {2,3}, {4,5}. Keyed order events come from nsqd's HTTP {@code /mpub}, each to
 * the partition the documented hash picks (CRC32 of the key's UTF-8 bytes mod 6). At 20 % the
 * runner of {0,1} is killed with SIGKILL; at 40 % its replacement starts with the same partitions.
 * The combined record loses nothing; each key's order is kept except, at most, for keys of the
 * killed runner's in-flight window (nsqd puts a timed-out message behind what waits), and
 * duplicates come only from that window. Prints the hand-over time: from the SIGKILL until every
 * key was handled again.
 */
@Tag("broker")
class ScaleOutOnNsqTest {

  private static final String NSQD_HTTP = "127.0.0.1:4151";
  private static final int PARTITIONS = 6;
  private static final int KEYS = 60;
  private static final int PER_KEY = 100;
  private static final int LANES = 4;
  private static final int CHANNEL_LENGTH = 16;

  /** RDY of a runner over its two partitions: the most it holds when killed. */
  private static final int IN_FLIGHT = 64;

  private static final Pattern ORDER_ID = Pattern.compile("\"order_id\":(\\d+)");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void threeRunnersOneKilledAndReplacedLoseNothingAndKeepEachKeysOrder() throws Exception {
    String name = "scaleout_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 4);
    Map<Integer, List<String>> perPartition = new HashMap<>();
    Map<Long, Integer> partitionOfKey = new HashMap<>();
    for (String event : Recorded.orderEvents(KEYS, PER_KEY)) {
      Matcher id = ORDER_ID.matcher(event);
      assertThat(id.find()).isTrue();
      int p = partition(id.group(1));
      partitionOfKey.put(Long.parseLong(id.group(1)), p);
      perPartition.computeIfAbsent(p, k -> new ArrayList<>()).add(event);
    }
    assertThat(perPartition).as("every partition has keys").hasSize(PARTITIONS);
    int total = KEYS * PER_KEY;
    Path record = dir.resolve("handled.jsonl");
    Path tasks = taskFile(name, record);

    List<RunnerProcess> runners = new ArrayList<>();
    try {
      for (Map.Entry<Integer, List<String>> e : perPartition.entrySet()) {
        ForeignClients.nsqMpub(NSQD_HTTP, name + "." + e.getKey(), e.getValue());
      }
      RunnerProcess killed = runner(1, "0-1", tasks);
      runners.add(killed);
      runners.add(runner(2, "2-3", tasks));
      runners.add(runner(3, "4-5", tasks));
      awaitHandled(record, total / 5, runners);
      assertThat(killed.output()).contains("consuming NSQ topics " + name + ".0, " + name + ".1");
      runners.remove(killed);
      killed.kill();
      long killedAt = System.currentTimeMillis();
      awaitHandled(record, total * 2 / 5, runners);
      runners.add(runner(4, "0,1", tasks));
      awaitAll(record, total, Duration.ofSeconds(60));
      terminateAll(runners);
      List<Handled> handled = Recorded.handledOrderEvents(record);
      FaultRecord result =
          FaultRecord.of(
              "nsq",
              "three runners, one killed and replaced",
              handled,
              KEYS,
              PER_KEY,
              IN_FLIGHT,
              FaultRecord.NOT_MEASURED);
      Set<Long> reordered = FaultRecord.reorderedKeys(handled);
      System.out.printf(
          "scale out on nsq (%d partitions, 2 owned by the killed runner): %s; reordered keys %s;"
              + " hand-over after SIGKILL %d ms%n",
          PARTITIONS, result, reordered, handOverMillis(record, killedAt, partitionOfKey));
      assertThat(result.lost()).as(result.toString()).isZero();
      assertThat(result.duplicates()).as(result.toString()).isLessThanOrEqualTo(IN_FLIGHT);
      assertThat(reordered)
          .as("only keys of the killed runner's partitions 0 and 1 may be out of order")
          .allSatisfy(key -> assertThat(partitionOfKey.get(key)).isBetween(0, 1));
      assertThat(reordered.size()).as(result.toString()).isLessThanOrEqualTo(IN_FLIGHT);
    } finally {
      runners.forEach(RunnerProcess::close);
      deleteTopics(name);
    }
  }

  /** The documented hash: CRC32 of the key's UTF-8 bytes, mod the partition count. */
  private static int partition(String key) {
    CRC32 crc = new CRC32();
    crc.update(key.getBytes(StandardCharsets.UTF_8));
    return (int) (crc.getValue() % PARTITIONS);
  }

  private static void deleteTopics(String name) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    List<String> topics = new ArrayList<>(List.of(name + "_dlq"));
    for (int p = 0; p < PARTITIONS; p++) {
      topics.add(name + "." + p);
    }
    for (String topic : topics) {
      http.send(
          HttpRequest.newBuilder(URI.create("http://" + NSQD_HTTP + "/topic/delete?topic=" + topic))
              .POST(HttpRequest.BodyPublishers.noBody())
              .build(),
          HttpResponse.BodyHandlers.discarding());
    }
  }

  /** A runner on a machine of its own, owning {@code owned} as a StatefulSet would. */
  private RunnerProcess runner(int n, String owned, Path tasks) throws Exception {
    return ScaleOutRunners.start(dir, n, "nsq", tasks, Map.of("LANES_NSQ_OWNED_PARTITIONS", owned));
  }

  private Path taskFile(String name, Path record) throws Exception {
    return ScaleOutRunners.taskFile(
        dir,
        LANES,
        CHANNEL_LENGTH,
        record,
        """
        nsq {
          topic = %s
          partitions = %d
          maxInFlight = %d
          msgTimeout = 3s
          lookupInterval = 1s
        }
        """
            .formatted(name, PARTITIONS, IN_FLIGHT));
  }

  /**
   * From {@code killedAt} until the last key of the killed runner's partitions that still had
   * events waiting was handled again: those keys wait for the replacement runner and, the ones it
   * held, for their message timeout. (Foreign bodies carry no Lanes key; the order id is the key.)
   */
  private static long handOverMillis(Path record, long killedAt, Map<Long, Integer> partitionOf)
      throws Exception {
    Map<Long, Long> firstAfterKill = new HashMap<>();
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
      Matcher id = ORDER_ID.matcher(node.path("payload").asText());
      long at = node.get("at").asLong();
      if (at >= killedAt && id.find()) {
        long key = Long.parseLong(id.group(1));
        if (partitionOf.get(key) <= 1) {
          firstAfterKill.putIfAbsent(key, at);
        }
      }
    }
    return firstAfterKill.values().stream().mapToLong(at -> at - killedAt).max().orElse(-1);
  }
}
