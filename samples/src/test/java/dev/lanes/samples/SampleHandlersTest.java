package dev.lanes.samples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.lanes.api.Message;
import dev.lanes.testkit.HandledCall;
import dev.lanes.testkit.HandlerTestKit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleHandlersTest {

  @TempDir Path dir;

  @Test
  void orderEventsAreHandledInOrderPerOrderAndNonOrdersAreRejected() throws Exception {
    List<Message> events = new ArrayList<>();
    new SampleOrders(com.typesafe.config.ConfigFactory.parseMap(Map.of("count", 200, "orders", 10)))
        .forEach(events::add);
    try (HandlerTestKit kit =
        HandlerTestKit.forHandler(new OrderEventsHandler())
            .config("consumerNum = 4, deliverBy = order_id, orders.maxWork = 1ms")
            .start()) {
      kit.send(events.toArray(Message[]::new));
      kit.sendJson("{\"type\":\"ping\"}");
      kit.awaitSettled(201, Duration.ofSeconds(20));

      assertThat(kit.acked()).hasSize(200);
      assertThat(kit.deadLetters())
          .singleElement()
          .satisfies(d -> assertThat(d.reason()).contains("not an order event"));
      kit.callsBy("order_id")
          .forEach(
              (order, calls) -> {
                if (order != null) {
                  assertThat(calls)
                      .extracting(c -> (Long) c.message().field("seq").orElseThrow())
                      .as("order %s", order)
                      .isSorted()
                      .hasSize(20);
                }
              });
    }
  }

  @Test
  void flakyDownstreamSucceedsAfterRetriesAndPoisonIsDeadLettered() throws Exception {
    Path record = dir.resolve("flaky.jsonl");
    try (HandlerTestKit kit =
        HandlerTestKit.forHandler(new FlakyDownstreamHandler())
            .config(
                "flaky.failuresBeforeSuccess = 2, retry.maxAttempts = 4, record.file = \""
                    + record
                    + "\"")
            .start()) {
      kit.sendJson("{\"order_id\":1}", "{\"order_id\":2,\"poison\":true}");
      kit.awaitSettled(2, Duration.ofSeconds(20));

      Map<Object, List<HandledCall>> calls = kit.callsBy("order_id");
      assertThat(calls.get(1L)).extracting(c -> c.message().attempt()).containsExactly(1, 2, 3);
      assertThat(calls.get(2L)).extracting(c -> c.message().attempt()).containsExactly(1, 2, 3, 4);
      assertThat(kit.deadLetters())
          .singleElement()
          .satisfies(
              d ->
                  assertThat(d.reason())
                      .contains("retries exhausted after 4 attempts")
                      .contains("poison"));
      List<String> lines = Files.readAllLines(record);
      assertThat(lines).hasSize(7);
      assertThat(lines)
          .filteredOn(l -> l.contains("\\\"order_id\\\":1"))
          .satisfiesExactly(
              l ->
                  assertThat(l)
                      .contains(
                          "\"attempt\":1", "\"failed\":\"downstream unavailable (attempt 1)\""),
              l ->
                  assertThat(l)
                      .contains(
                          "\"attempt\":2", "\"failed\":\"downstream unavailable (attempt 2)\""),
              l -> assertThat(l).contains("\"attempt\":3", "\"at\":").doesNotContain("failed"));
      assertThat(lines)
          .filteredOn(l -> l.contains("\\\"order_id\\\":2"))
          .hasSize(4)
          .allSatisfy(l -> assertThat(l).contains("downstream rejects poison message"));
    }
  }

  @Test
  void auditJournalRecordsEveryMessageWithItsHeadersAndKey() throws Exception {
    Path journal = dir.resolve("audit.jsonl");
    try (HandlerTestKit kit =
        HandlerTestKit.forHandler(new AuditJournalHandler())
            .config("audit.journal = \"" + journal + "\"")
            .start()) {
      kit.send(
          Message.builder().key("k-1").headers(Map.of("trace", "t-9")).payload("{\"a\":1}").build(),
          Message.builder().payload("plain text").build());
      kit.awaitSettled(2, Duration.ofSeconds(10));
    }
    List<Map<String, String>> entries = new ArrayList<>();
    for (String line : Files.readAllLines(journal)) {
      entries.add(flatStrings(line));
    }
    assertThat(entries)
        .extracting(e -> e.get("payload"))
        .containsExactlyInAnyOrder("{\"a\":1}", "plain text");
    Map<String, String> keyed =
        entries.stream().filter(e -> "k-1".equals(e.get("key"))).findFirst().orElseThrow();
    assertThat(keyed)
        .containsEntry("headers.trace", "t-9")
        .containsKey("timestamp")
        .containsKey("id");
  }

  private static Map<String, String> flatStrings(String json) throws Exception {
    Map<String, String> fields = new HashMap<>();
    try (JsonParser p = new JsonFactory().createParser(json)) {
      String prefix = "";
      while (p.nextToken() != null) {
        if (p.currentToken() == JsonToken.START_OBJECT && p.currentName() != null) {
          prefix = p.currentName() + ".";
        } else if (p.currentToken() == JsonToken.END_OBJECT) {
          prefix = "";
        } else if (p.currentToken() == JsonToken.VALUE_STRING) {
          fields.put(prefix + p.currentName(), p.getText());
        }
      }
    }
    return fields;
  }
}
