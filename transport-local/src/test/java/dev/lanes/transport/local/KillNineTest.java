package dev.lanes.transport.local;

import static dev.lanes.transport.local.LocalTestSupport.message;
import static dev.lanes.transport.local.LocalTestSupport.queue;
import static dev.lanes.transport.local.LocalTestSupport.rows;
import static dev.lanes.transport.local.LocalTestSupport.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.lanes.api.Message;
import dev.lanes.api.Outcome;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.runtime.TaskRuntime;
import dev.lanes.spi.Source;
import dev.lanes.testing.HandledRecord;
import dev.lanes.testing.Tasks;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consumer process killed with SIGKILL mid-stream loses nothing and reorders nothing: while it
 * lives no second consumer of its queue may start; once it is dead the next consumer takes back at
 * once what it held unsettled (no wait for its leases to run out) and handles each key's messages
 * in order after what the dead one handled.
 */
class KillNineTest {

  private static final int MESSAGES = 400;
  private static final int KEYS = 16;

  @TempDir Path dataDir;
  @TempDir Path recordDir;

  @Test
  void killedConsumerLosesNothingAndTheNextOneHandlesTheRest() throws Exception {
    String q = queue("kill9");
    Set<String> all = new HashSet<>();
    List<Message> batch = new ArrayList<>();
    for (int i = 0; i < MESSAGES; i++) {
      all.add("p" + i);
      batch.add(message("k" + (i % KEYS), "p" + i));
    }
    try (LocalPublisher publisher = new LocalTransport().openPublisher(task(dataDir, q))) {
      publisher.publishBatch(batch);
    }

    Path record = recordDir.resolve("handled-by-child.txt");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                KilledConsumerMain.class.getName(),
                dataDir.toString(),
                q,
                record.toString())
            .redirectOutput(ProcessBuilder.Redirect.INHERIT)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> HandledRecord.read(record).size() >= 80);
      Source second = new LocalTransport().openSource(task(dataDir, q));
      assertThatThrownBy(() -> second.start(d -> d.acknowledger().ack()))
          .as("a second consumer while the first lives")
          .isInstanceOf(ReadyFailedException.class)
          .hasMessageContaining("local queue '" + q + "'")
          .hasMessageContaining("pid " + child.pid());
      second.close();
    } finally {
      child.destroyForcibly();
      assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
    List<String> handledByChild = HandledRecord.read(record);
    long killedAt = System.nanoTime();
    Set<String> leftAfterKill = payloads(q);
    long heldByTheDead =
        LocalTestSupport.queryLong(
            dataDir,
            "SELECT count(*) FROM messages WHERE queue = ? AND visible_at > ?",
            q,
            System.currentTimeMillis());
    assertThat(leftAfterKill).as("killed mid-stream").isNotEmpty();
    assertThat(heldByTheDead).as("claimed, unsettled rows at the kill").isPositive();

    List<String> handledAfter = Collections.synchronizedList(new ArrayList<>());
    List<Long> lateMs = new ArrayList<>();
    TaskRuntime next =
        TaskRuntime.create(
            Tasks.task(
                "next",
                Map.of(
                    "transport",
                    "local",
                    "deliverBy",
                    "key",
                    "local.dataDir",
                    dataDir.toString(),
                    "local.queue",
                    q)),
            new LocalTransport(),
            m -> {
              handledAfter.add(m.payloadAsString());
              return Outcome.ack();
            },
            new SimpleMeterRegistry());
    next.start();
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> handledAfter.containsAll(leftAfterKill));
      lateMs.add((System.nanoTime() - killedAt) / 1_000_000);
      await().atMost(Duration.ofSeconds(5)).until(() -> rows(dataDir, q) == 0);
    } finally {
      assertThat(next.stop().clean()).isTrue();
    }

    Set<String> union = new HashSet<>(handledByChild);
    union.addAll(handledAfter);
    assertThat(union).as("every message handled").isEqualTo(all);
    assertThat(new HashSet<>(handledAfter))
        .as("exactly what the dead process had not acked")
        .isEqualTo(leftAfterKill);
    List<String> firstHandlings = new ArrayList<>(new LinkedHashSet<>(handledByChild));
    handledAfter.stream().filter(p -> !firstHandlings.contains(p)).forEach(firstHandlings::add);
    for (int key = 0; key < KEYS; key++) {
      int k = key;
      assertThat(firstHandlings.stream().map(p -> Integer.parseInt(p.substring(1))))
          .filteredOn(i -> i % KEYS == k)
          .as("key k%d's messages, first handlings in order", k)
          .isSorted();
    }
    assertThat(rows(dataDir, q + ".dlq")).isZero();
    System.out.printf(
        "kill -9: child handled %d, %d left (%d held by the dead process), all "
            + "handled %d ms after the kill%n",
        handledByChild.size(), leftAfterKill.size(), heldByTheDead, lateMs.get(0));
  }

  private Set<String> payloads(String q) throws Exception {
    Set<String> payloads = new HashSet<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + StoreFile.of(dataDir));
        PreparedStatement st = c.prepareStatement("SELECT payload FROM messages WHERE queue = ?")) {
      st.setString(1, q);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          payloads.add(new String(rs.getBytes(1), StandardCharsets.UTF_8));
        }
      }
    }
    return payloads;
  }
}
