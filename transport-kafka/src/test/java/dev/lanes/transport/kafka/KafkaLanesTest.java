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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Kafka behind the lanes ({@link TaskRuntime}): per-key order far beyond the partition count, a
 * stop in the middle of a stream, and a second consumer joining while handlers are slow.
 */
@Tag("broker")
class KafkaLanesTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  private final KafkaTransport transport = new KafkaTransport();
  private final List<TaskRuntime> runtimes = new ArrayList<>();

  @AfterEach
  void stopAll() {
    runtimes.forEach(TaskRuntime::stop);
  }

  @Test
  void keepsPerKeyOrderWithSixteenLanesOnTwoPartitions() throws Exception {
    TaskConfig task = newTask("order16", Map.of("consumerNum", 16, "deliverBy", "key"));
    List<Message> sent = sequences(32, 25);
    publish(task, sent);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    RecordingHandler handler =
        new RecordingHandler(
            m -> {
              mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
              try {
                TimeUnit.MICROSECONDS.sleep(ThreadLocalRandom.current().nextInt(3000));
              } finally {
                running.decrementAndGet();
              }
              return Outcome.ack();
            });
    start(task, handler);

    await().atMost(WAIT).until(() -> handler.acked().size() >= sent.size());
    assertThat(handler.acked()).hasSize(sent.size());
    assertPerKeyOrder(handler.acked(), 32, 25);
    Set<Integer> lanes =
        handler.acked().stream().map(RecordingHandler.Call::lane).collect(Collectors.toSet());
    assertThat(lanes).as("lanes used").hasSizeGreaterThan(8);
    assertThat(mostAtOnce.get()).as("handlers running at once, with 2 partitions").isGreaterThan(2);
  }

  @Test
  void stoppingMidStreamLosesNothingAndNeverCommitsPastUnfinishedWork() throws Exception {
    TaskConfig task =
        newTask(
            "stop-mid-lanes",
            Map.of(
                "consumerNum",
                8,
                "channelLength",
                32,
                "deliverBy",
                "key",
                "shutdownTimeout",
                "300ms",
                "stopMode",
                "drain"));
    List<Message> sent = sequences(40, 50);
    publish(task, sent);
    RecordingHandler first =
        new RecordingHandler(
            m -> {
              TimeUnit.MILLISECONDS.sleep(15);
              return Outcome.ack();
            });
    TaskRuntime run = start(task, first);
    await().atMost(WAIT).until(() -> first.acked().size() >= 200);
    StopReport report = run.stop();
    assertThat(report.abandoned()).as("work was left unfinished at the deadline").isPositive();

    String topic = task.config().getString("kafka.topic");
    Map<Integer, Long> offsets = committed(task.config().getString("kafka.group"), topic);
    Map<Integer, Set<Long>> finished = offsetsByPartition(first.acked());
    offsets.forEach(
        (partition, offset) -> {
          for (long o = 0; o < offset; o++) {
            assertThat(finished.getOrDefault(partition, Set.of()))
                .as("committed %s-%d at %d, so offset %d was finished", topic, partition, offset, o)
                .contains(o);
          }
        });

    RecordingHandler second = RecordingHandler.acking();
    start(task, second);
    int uncommitted = sent.size() - offsets.values().stream().mapToInt(Long::intValue).sum();
    Set<String> all = ConcurrentHashMap.newKeySet();
    all.addAll(first.ackedPayloads());
    await()
        .atMost(WAIT)
        .until(
            () -> {
              all.addAll(second.ackedPayloads());
              return all.size() >= sent.size();
            });
    assertThat(all).as("nothing lost").hasSize(sent.size());
    Map<Integer, Set<Long>> redelivered = offsetsByPartition(second.acked());
    redelivered.forEach(
        (partition, got) ->
            assertThat(got)
                .as("the second run starts exactly at the committed offset of %d", partition)
                .allMatch(o -> o >= offsets.getOrDefault(partition, 0L)));
    // records finished above a committed offset are listed in its metadata and skipped
    assertThat(second.acked())
        .hasSizeLessThanOrEqualTo(uncommitted)
        .hasSize(second.ackedPayloads().size())
        .noneMatch(c -> first.ackedPayloads().contains(c.payload()));
  }

  @Test
  void aConsumerJoiningWhileHandlersAreSlowLosesNothingAndKeepsPerKeyOrder() throws Exception {
    TaskConfig task = newTask("join-lanes", Map.of("consumerNum", 4, "deliverBy", "key"));
    List<Message> sent = sequences(30, 20);
    publish(task, sent.subList(0, 400));
    RecordingHandler.Behaviour slow =
        m -> {
          TimeUnit.MILLISECONDS.sleep(8);
          return Outcome.ack();
        };
    RecordingHandler first = new RecordingHandler(slow);
    start(task, first);
    await().atMost(WAIT).until(() -> first.acked().size() >= 40);

    RecordingHandler second = new RecordingHandler(slow);
    start(task, second);
    publish(task, sent.subList(400, sent.size()));
    await().atMost(WAIT).until(() -> first.acked().size() + second.acked().size() >= sent.size());

    List<RecordingHandler.Call> all = new ArrayList<>(first.acked());
    all.addAll(second.acked());
    assertThat(second.acked()).as("the second consumer took over a partition").isNotEmpty();
    assertThat(all.stream().map(RecordingHandler.Call::payload))
        .as("each message handled once: the revoke waited for the work in the lanes")
        .doesNotHaveDuplicates()
        .hasSize(sent.size());
    assertPerKeyOrder(all, 30, 20);
  }

  // ------------------------------------------------------------------ helpers

  /** {@code keys * perKey} messages keyed {@code k<i>}, payload {@code k<i>:<seq>}, interleaved. */
  private static List<Message> sequences(int keys, int perKey) {
    List<Message> messages = new ArrayList<>();
    for (int seq = 0; seq < perKey; seq++) {
      for (int k = 0; k < keys; k++) {
        messages.add(Message.builder().key("k" + k).payload("k" + k + ":" + seq).build());
      }
    }
    return messages;
  }

  /** Every key's sequence numbers, in the order their handlers started, are 0..perKey-1. */
  private static void assertPerKeyOrder(List<RecordingHandler.Call> calls, int keys, int perKey) {
    Map<String, List<Integer>> seqs = new HashMap<>();
    calls.stream()
        .sorted((a, b) -> Long.compare(a.atNanos(), b.atNanos()))
        .forEach(
            c -> {
              String[] parts = c.payload().split(":");
              seqs.computeIfAbsent(parts[0], k -> new ArrayList<>())
                  .add(Integer.parseInt(parts[1]));
            });
    assertThat(seqs).hasSize(keys);
    List<Integer> expected = java.util.stream.IntStream.range(0, perKey).boxed().toList();
    seqs.forEach((key, got) -> assertThat(got).as("order of key %s", key).isEqualTo(expected));
  }

  private static Map<Integer, Set<Long>> offsetsByPartition(List<RecordingHandler.Call> calls) {
    Map<Integer, Set<Long>> offsets = new HashMap<>();
    calls.forEach(
        c ->
            offsets
                .computeIfAbsent(c.message().origin().partition(), p -> new HashSet<>())
                .add(c.message().origin().offset()));
    return offsets;
  }

  private TaskConfig newTask(String scenario, Map<String, Object> overrides) {
    String topic = createTopic(unique(scenario), 2);
    return KafkaBroker.task(scenario, topic, unique(scenario + "-group"), overrides);
  }

  private TaskRuntime start(TaskConfig task, RecordingHandler handler) {
    TaskRuntime runtime = TaskRuntime.create(task, transport, handler, new SimpleMeterRegistry());
    runtimes.add(runtime);
    runtime.start();
    return runtime;
  }

  private void publish(TaskConfig task, List<Message> messages) throws Exception {
    try (Publisher publisher = transport.openPublisher(task)) {
      publisher.publishAll(messages);
    }
  }
}
