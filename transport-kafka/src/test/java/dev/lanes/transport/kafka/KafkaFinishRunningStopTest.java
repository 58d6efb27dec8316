package dev.lanes.transport.kafka;

import static dev.lanes.transport.kafka.KafkaBroker.committed;
import static dev.lanes.transport.kafka.KafkaBroker.createTopic;
import static dev.lanes.transport.kafka.KafkaBroker.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lanes.api.Message;
import dev.lanes.api.Outcome;
import dev.lanes.conformance.RecordingHandler;
import dev.lanes.runtime.StopReport;
import dev.lanes.runtime.TaskRuntime;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.TaskConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A {@code finish-running} stop on Kafka releases a record below others that finished: the commit
 * stops at the released one, and the next consumer handles it, not the finished ones above it.
 */
@Tag("broker")
class KafkaFinishRunningStopTest {

  private final KafkaTransport transport = new KafkaTransport();
  private final List<TaskRuntime> runtimes = new ArrayList<>();

  @AfterEach
  void stopAll() {
    runtimes.forEach(TaskRuntime::stop);
  }

  @Test
  void theNextConsumerHandlesTheReleasedRecordAndSkipsTheFinishedOnesAboveIt() throws Exception {
    String topic = createTopic(unique("release"), 1);
    String group = unique("release-group");
    TaskConfig task =
        KafkaBroker.task(
            "release",
            topic,
            group,
            Map.of("consumerNum", 2, "deliverBy", "key", "channelLength", 16));
    assertThat(runtime(task, RecordingHandler.acking()).stopMode().configName())
        .isEqualTo("finish-running");
    List<Message> sent = new ArrayList<>();
    // integer keys: an even one on lane 0, odd ones on lane 1
    sent.add(message("2", 0)); // offset 0: running when the stop comes, finishes
    sent.add(message("2", 1)); // offset 1: queued behind it, released
    for (int key = 1; key < 16; key += 2) {
      sent.add(message(Integer.toString(key), 0)); // offsets 2..9: finished before the stop
    }
    try (Publisher publisher = transport.openPublisher(task)) {
      publisher.publishAll(sent);
    }

    RecordingHandler first =
        new RecordingHandler(
            m -> {
              if (m.key().equals("2")) {
                TimeUnit.MILLISECONDS.sleep(1_500);
              }
              return Outcome.ack();
            });
    TaskRuntime run = runtime(task, first);
    run.start();
    await().atMost(Duration.ofSeconds(60)).until(() -> first.acked().size() >= 8);
    StopReport report = run.stop();
    assertThat(report.clean()).as("%s", report).isTrue();
    assertThat(report.released()).as("%s %s", report, first.calls()).isEqualTo(1);
    assertThat(first.ackedPayloads()).hasSize(9);
    assertThat(committed(group, topic)).containsEntry(0, 1L);

    RecordingHandler second = RecordingHandler.acking();
    runtime(task, second).start();
    await().atMost(Duration.ofSeconds(60)).until(() -> !second.calls().isEmpty());
    TimeUnit.SECONDS.sleep(2); // anything handled again would come right behind it
    assertThat(second.payloads()).containsExactly(sent.get(1).payloadAsString());
    await().atMost(Duration.ofSeconds(10)).until(() -> committed(group, topic).get(0) == 10L);
  }

  private TaskRuntime runtime(TaskConfig task, RecordingHandler handler) {
    TaskRuntime runtime = TaskRuntime.create(task, transport, handler, new SimpleMeterRegistry());
    runtimes.add(runtime);
    return runtime;
  }

  private static Message message(String key, int seq) {
    return Message.builder()
        .key(key)
        .payload("{\"key\":\"" + key + "\",\"seq\":" + seq + "}")
        .build();
  }
}
