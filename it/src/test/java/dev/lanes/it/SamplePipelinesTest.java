package dev.lanes.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The three sample pipelines of {@code conf/samples.conf} on every transport, through real runner
 * processes and real brokers; only {@code --transport} changes (see {@link SamplePipeline}).
 */
@Tag("broker")
class SamplePipelinesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ORDERS = 20;
  private static final int EVENTS_PER_ORDER = 10;
  private static final int EVENTS = ORDERS * EVENTS_PER_ORDER;
  private static final int GOOD = 90;
  private static final int POISON = 10;
  private static final String EXHAUSTED =
      "retries exhausted after 4 attempts: "
          + "dev.lanes.api.DoingFailedException: downstream rejects poison message ";
  private static final String IN_SEQUENCE =
      "task orders: " + EVENTS + " order events for " + ORDERS + " orders handled, 0 out of order";

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"memory", "local", "amqp", "kafka", "nsq"})
  void orderEventsAreAllHandledInSequencePerOrder(String transport) throws Exception {
    SamplePipeline samples = new SamplePipeline(dir, transport);

    String output =
        samples.run(Map.of("orders", EVENTS), Map.of("orders", orderEvents())).get("orders");

    assertThat(output)
        .contains("orders: stopped cleanly")
        .contains("received " + EVENTS + ", acked " + EVENTS)
        .contains(IN_SEQUENCE);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"memory", "local", "amqp", "kafka", "nsq"})
  void flakyDownstreamRetriesWithGrowingBackoffAndDeadLettersThePoison(String transport)
      throws Exception {
    SamplePipeline samples = new SamplePipeline(dir, transport);

    String output =
        samples.run(Map.of("flaky", GOOD + POISON), Map.of("flaky", flakyMessages())).get("flaky");

    // 2 failed attempts per good message, 3 retries then the dead letter per poison message
    assertThat(output)
        .contains("flaky: stopped cleanly")
        .contains(
            "acked " + GOOD + ", retried " + (GOOD * 2 + POISON * 3) + ", rejected " + POISON);
    assertThat(
            Pattern.compile("dead-lettering .*: " + Pattern.quote(EXHAUSTED))
                .matcher(output)
                .results())
        .as("dead-letter log lines")
        .hasSize(POISON);
    Map<Long, List<JsonNode>> attempts = byOrder(samples.file("data/samples/flaky.jsonl"));
    assertThat(attempts).hasSize(GOOD + POISON);
    attempts.forEach(
        (order, tries) -> {
          boolean poison = order >= 900;
          assertThat(tries)
              .extracting(t -> t.get("attempt").asInt())
              .as("attempts of %d", order)
              .containsExactly(poison ? new Integer[] {1, 2, 3, 4} : new Integer[] {1, 2, 3});
          assertThat(tries)
              .extracting(t -> t.has("failed"))
              .as("failed attempts of %d", order)
              .containsExactly(
                  poison
                      ? new Boolean[] {true, true, true, true}
                      : new Boolean[] {true, true, false});
          // backoff 200 ms, 400 ms, 800 ms, each +/- 20% jitter (a busy machine only adds to it)
          for (int i = 1; i < tries.size(); i++) {
            long gap = tries.get(i).get("at").asLong() - tries.get(i - 1).get("at").asLong();
            assertThat(gap)
                .as("backoff before attempt %d of %d", i + 1, order)
                .isGreaterThanOrEqualTo(150L << (i - 1));
          }
        });

    if (!transport.equals(
        "memory")) { // on memory the dead letters live and die in the flaky runner
      samples.run(Map.of("flaky_dead", POISON), Map.of());
      List<String> dead = SamplePipeline.lines(samples.file("data/samples/flaky-dead.jsonl"));
      assertThat(dead).hasSize(POISON);
      Set<Long> deadOrders = new HashSet<>();
      for (String line : dead) {
        JsonNode entry = JSON.readTree(line);
        assertThat(entry.at("/headers/lanes-reason").asText()).startsWith(EXHAUSTED);
        deadOrders.add(JSON.readTree(entry.get("payload").asText()).at("/data/order_id").asLong());
      }
      assertThat(deadOrders)
          .isEqualTo(attempts.keySet().stream().filter(o -> o >= 900).collect(Collectors.toSet()));
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"memory", "local", "amqp", "kafka", "nsq"})
  void auditJournalsEveryOrderEventBesideTheBusinessTaskAndReplaysIt(String transport)
      throws Exception {
    SamplePipeline samples = new SamplePipeline(dir, transport);
    List<String> events = orderEvents();
    boolean fanOut = List.of("amqp", "kafka", "nsq").contains(transport);
    // memory and local have no fan-out: the audit task gets what is published to its own queue
    Map<String, List<String>> publish =
        fanOut ? Map.of("orders", events) : Map.of("orders", events, "orders_audit", events);

    Map<String, String> outputs =
        samples.run(Map.of("orders", EVENTS, "orders_audit", EVENTS), publish);

    assertThat(outputs.get("orders"))
        .contains("received " + EVENTS + ", acked " + EVENTS)
        .contains(IN_SEQUENCE);
    Path journal = samples.file("data/samples/audit.jsonl");
    List<String> entries = SamplePipeline.lines(journal);
    Set<JsonNode> journaled = new HashSet<>();
    Set<String> ids = new HashSet<>();
    for (String line : entries) {
      JsonNode entry = JSON.readTree(line);
      journaled.add(JSON.readTree(entry.get("payload").asText()));
      ids.add(entry.get("id").asText());
    }
    Set<JsonNode> published = new HashSet<>();
    for (String event : events) {
      published.add(JSON.readTree(event).get("content"));
    }
    assertThat(entries).hasSize(EVENTS);
    assertThat(ids).hasSize(EVENTS);
    assertThat(journaled).isEqualTo(published);

    SamplePipeline.Result replay = samples.replay("orders", journal, "replay");
    assertThat(replay.exit()).as(replay.output()).isZero();
    assertThat(replay.output())
        .contains("replay: orders: replayed " + EVENTS + " entries of data/samples/audit.jsonl")
        .contains("acked " + EVENTS + ", dead-lettered 0")
        .contains(IN_SEQUENCE);

    Path broken = samples.file("data/samples/audit-broken.jsonl");
    List<String> damaged = new ArrayList<>(entries);
    damaged.set(56, damaged.get(56).substring(0, damaged.get(56).length() / 2));
    Files.write(broken, damaged);
    SamplePipeline.Result refused = samples.replay("orders", broken, "replay-broken");
    assertThat(refused.exit()).as(refused.output()).isEqualTo(2);
    assertThat(refused.output().strip())
        .startsWith(
            "runner: replay: data/samples/audit-broken.jsonl:57: "
                + "malformed journal entry: malformed JSON")
        .endsWith("; nothing was replayed")
        .doesNotContain("order events")
        .doesNotContain("replayed " + EVENTS);
  }

  /** Order events, interleaved by order, in {@code runner publish} form. */
  private static List<String> orderEvents() {
    return Recorded.orderEvents(ORDERS, EVENTS_PER_ORDER).stream()
        .map(
            e ->
                "{\"key\":\""
                    + e.replaceAll(".*\"order_id\":(\\d+).*", "$1")
                    + "\",\"content\":"
                    + e
                    + "}")
        .toList();
  }

  /** {@link #GOOD} messages (orders 1..) and {@link #POISON} poison ones (orders 900..). */
  private static List<String> flakyMessages() {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < GOOD + POISON; i++) {
      boolean poison = i % ((GOOD + POISON) / POISON) == 0;
      long order = poison ? 900 + i : 1 + i;
      lines.add(
          "{\"key\":\""
              + order
              + "\",\"content\":{\"data\":{\"order_id\":"
              + order
              + ",\"seq\":1}"
              + (poison ? ",\"poison\":true" : "")
              + "}}");
    }
    return lines;
  }

  /** A record file's lines grouped by the order of their payload, in file order. */
  private static Map<Long, List<JsonNode>> byOrder(Path record) throws Exception {
    Map<Long, List<JsonNode>> byOrder = new LinkedHashMap<>();
    for (String line : SamplePipeline.lines(record)) {
      JsonNode node = JSON.readTree(line);
      long order = JSON.readTree(node.get("payload").asText()).at("/data/order_id").asLong();
      byOrder.computeIfAbsent(order, o -> new ArrayList<>()).add(node);
    }
    return byOrder;
  }
}
