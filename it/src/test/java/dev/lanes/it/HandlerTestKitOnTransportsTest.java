package dev.lanes.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.api.DoingFailedException;
import dev.lanes.api.Message;
import dev.lanes.api.MessageHandler;
import dev.lanes.api.Outcome;
import dev.lanes.testkit.DeadLetter;
import dev.lanes.testkit.HandledCall;
import dev.lanes.testkit.HandlerTestKit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link HandlerTestKit} as a user's integration test runs it: the same handler and assertions on
 * the embedded local queue and on each real broker, dead letters read back from the broker.
 */
@Tag("broker")
class HandlerTestKitOnTransportsTest {

  static final int ORDERS = 5;
  static final int EVENTS_PER_ORDER = 8;

  @TempDir Path dir;

  /** Rejects events marked bad, fails the first attempt of events marked flaky, acks the rest. */
  static final class OrderHandler implements MessageHandler {
    @Override
    public Outcome handle(Message message) {
      if (Boolean.TRUE.equals(message.field("bad").orElse(null))) {
        return Outcome.reject("bad order");
      }
      if (Boolean.TRUE.equals(message.field("flaky").orElse(null)) && message.attempt() == 1) {
        throw new DoingFailedException("downstream busy");
      }
      return Outcome.ack();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"local", "amqp", "kafka", "nsq"})
  void runsAHandlerWithRetriesDeadLettersAndOrderPerKey(String transport) throws Exception {
    String name =
        "it_kit_" + transport + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    List<String> events = new ArrayList<>();
    for (int seq = 1; seq <= EVENTS_PER_ORDER; seq++) {
      for (int order = 1; order <= ORDERS; order++) {
        events.add(
            "{\"order_id\":" + order + ",\"seq\":" + seq + ",\"flaky\":" + (seq % 3 == 0) + "}");
      }
    }
    events.add("{\"order_id\":9,\"seq\":1,\"bad\":true}");
    events.add("{\"order_id\":9,\"seq\":2,\"bad\":true}");

    try (HandlerTestKit kit =
        HandlerTestKit.forHandler(new OrderHandler())
            .transport(transport, destination(transport, name), deadLetters(transport, name))
            .config("consumerNum = 4, deliverBy = order_id, retry.maxAttempts = 3")
            .start()) {
      kit.sendJson(events.toArray(String[]::new));
      kit.awaitSettled(events.size(), Duration.ofSeconds(60));

      assertThat(kit.acked()).hasSize(ORDERS * EVENTS_PER_ORDER);
      assertThat(kit.deadLetters())
          .extracting(DeadLetter::reason)
          .containsExactly("bad order", "bad order");
      assertThat(kit.calls())
          .filteredOn(c -> !c.acked() && c.message().attempt() == 1)
          .as("failed first attempts: the flaky events and the bad ones")
          .hasSize(ORDERS * (EVENTS_PER_ORDER / 3) + 2);
      kit.callsBy("order_id")
          .forEach(
              (order, calls) -> {
                List<Object> ackedSeqs =
                    calls.stream()
                        .filter(HandledCall::acked)
                        .map(c -> c.message().field("seq").orElseThrow())
                        .toList();
                assertThat(ackedSeqs).as("order %s", order).isSorted();
              });
    }
  }

  private String destination(String transport, String name) throws Exception {
    return switch (transport) {
      case "local" -> "local { dataDir = \"" + dir + "\", queue = " + name + " }";
      case "amqp" -> "amqp.queue = " + name;
      case "kafka" -> {
        createTopics(name, name + ".DLT");
        yield "kafka { topic = " + name + ", group = " + name + " }";
      }
      case "nsq" -> "nsq { topic = " + name + ", lookupInterval = 1s }";
      default -> throw new IllegalArgumentException(transport);
    };
  }

  private String deadLetters(String transport, String name) {
    return switch (transport) {
      case "local" -> "local { dataDir = \"" + dir + "\", queue = " + name + ".dlq }";
      case "amqp" -> "amqp.queue = " + name + ".dlq";
      case "kafka" -> "kafka { topic = " + name + ".DLT, group = " + name + "-dead }";
      case "nsq" -> "nsq { topic = " + name + "_dlq, channel = dead_letters, lookupInterval = 1s }";
      default -> throw new IllegalArgumentException(transport);
    };
  }

  private static void createTopics(String... names) throws Exception {
    Properties admin = new Properties();
    admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
    try (Admin client = Admin.create(admin)) {
      client
          .createTopics(List.of(names).stream().map(n -> new NewTopic(n, 2, (short) 1)).toList())
          .all()
          .get();
    }
  }
}
