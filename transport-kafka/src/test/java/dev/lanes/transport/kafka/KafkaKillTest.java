package dev.lanes.transport.kafka;

import static dev.lanes.transport.kafka.KafkaBroker.committed;
import static dev.lanes.transport.kafka.KafkaBroker.createTopic;
import static dev.lanes.transport.kafka.KafkaBroker.unique;
import static dev.lanes.transport.kafka.KafkaSourceTest.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lanes.conformance.RecordingHandler;
import dev.lanes.runtime.TaskRuntime;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.TaskConfig;
import dev.lanes.testing.HandledRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A consumer process killed with SIGKILL mid-stream loses nothing: the group redelivers. */
@Tag("broker")
class KafkaKillTest {

  private static final int COUNT = 2000;

  @Test
  void recordsUnfinishedWhenTheConsumerProcessIsKilledAreRedeliveredAndNothingIsLost(
      @TempDir Path dir) throws Exception {
    String topic = createTopic(unique("killed"), 2);
    String group = unique("killed-group");
    TaskConfig task =
        KafkaBroker.task("survivor", topic, group, Map.of("consumerNum", 8, "deliverBy", "key"));
    KafkaTransport transport = new KafkaTransport();
    try (Publisher publisher = transport.openPublisher(task)) {
      publisher.publishAll(messages(COUNT));
    }

    Path record = dir.resolve("handled-by-killed.txt");
    Process child = startChild(topic, group, record);
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> HandledRecord.read(record).size() >= 300);
    } finally {
      child.destroyForcibly(); // SIGKILL: no revoke, no final commit, no leave-group
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    Set<String> handledByKilled = new HashSet<>(HandledRecord.read(record));
    Map<Integer, Long> committedByKilled = committed(group, topic);
    long committedCount = committedByKilled.values().stream().mapToLong(Long::longValue).sum();
    assertThat(committedCount)
        .as("the killed consumer had committed some work")
        .isPositive()
        .isLessThan(COUNT);

    RecordingHandler survivor = RecordingHandler.acking();
    TaskRuntime run = TaskRuntime.create(task, transport, survivor, new SimpleMeterRegistry());
    try {
      run.start();
      Set<String> all = ConcurrentHashMap.newKeySet();
      all.addAll(handledByKilled);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                all.addAll(survivor.ackedPayloads());
                return all.size() >= COUNT;
              });
      assertThat(all).as("nothing lost").hasSize(COUNT);
      // the last commit's metadata lists records finished above its offset: those are skipped
      assertThat(survivor.acked())
          .as("at most everything after the committed offsets, each once")
          .hasSizeLessThanOrEqualTo((int) (COUNT - committedCount))
          .hasSize(survivor.ackedPayloads().size());
    } finally {
      run.stop();
    }
  }

  private static Process startChild(String topic, String group, Path record) throws IOException {
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    File log = new File("target/killed-consumer.log");
    Process child =
        new ProcessBuilder(
                List.of(
                    java,
                    "-Xmx256m",
                    "-cp",
                    classPath,
                    "-Dlanes.kafka.bootstrap=" + KafkaBroker.BOOTSTRAP,
                    KilledConsumerMain.class.getName(),
                    topic,
                    group,
                    record.toString()))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
            .redirectError(ProcessBuilder.Redirect.appendTo(log))
            .start();
    return child;
  }
}
