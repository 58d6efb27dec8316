package dev.lanes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner jar consumes, through the same task file and handler as the memory demo, messages that
 * another client published to a real broker; only {@code --transport} changes.
 */
@Tag("broker")
abstract class RunnerOnBrokerTest {

  static final int ORDERS = 20;
  static final int EVENTS_PER_ORDER = 10;

  @TempDir Path dir;

  /** The transport name given with {@code --transport}. */
  abstract String transport();

  /** The task file lines that name the destination {@code name} on this broker. */
  abstract String destination(String name);

  /** Publishes {@code events} (JSON lines) to destination {@code name} with a foreign client. */
  abstract void publishForeign(String name, List<String> events) throws Exception;

  /** Prepares the destination before publishing (declare a queue...), if the broker needs it. */
  void prepare(String name) throws Exception {}

  @Test
  void consumesWhatAForeignClientPublishedInOrderPerKey() throws Exception {
    String name =
        "it_" + transport() + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    Path record = dir.resolve("handled.jsonl");
    Path tasks = dir.resolve("tasks.conf");
    Files.writeString(
        tasks,
        """
        system {
          transport = memory
          consumerNum = 8
          deliverBy = order_id
          http.port = 0
        }
        orders {
          handler = dev.lanes.samples.RecordingHandler
          record.file = "%s"
          %s
        }
        """
            .formatted(record, destination(name)));
    prepare(name);
    List<String> events = Recorded.orderEvents(ORDERS, EVENTS_PER_ORDER);
    publishForeign(name, events);

    try (RunnerProcess runner =
        RunnerProcess.start(
            dir, "--transport=" + transport(), "--task", "orders", "--config", tasks.toString())) {
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(200))
          .failFast("runner exited", () -> !runner.isAlive())
          .until(() -> Recorded.payloads(record).size() >= events.size());
      int exit = runner.terminate(Duration.ofSeconds(40));
      assertThat(runner.output()).as("runner output").contains("orders: stopped cleanly");
      assertThat(exit).as("exit code after SIGTERM").isZero();
    }

    Map<Long, List<Long>> seqs = Recorded.seqsByOrder(record);
    assertThat(Recorded.payloads(record)).hasSize(events.size());
    assertThat(seqs).hasSize(ORDERS);
    List<Long> expected = LongStream.rangeClosed(1, EVENTS_PER_ORDER).boxed().toList();
    seqs.forEach(
        (order, list) -> assertThat(list).as("events of order %d", order).isEqualTo(expected));
  }
}
