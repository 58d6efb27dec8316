package dev.lanes.transport.kafka;

import static dev.lanes.transport.kafka.KafkaBroker.committed;
import static dev.lanes.transport.kafka.KafkaBroker.createTopic;
import static dev.lanes.transport.kafka.KafkaBroker.unique;
import static dev.lanes.transport.kafka.KafkaSourceTest.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lanes.api.Message;
import dev.lanes.spi.Delivery;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.TaskConfig;
import dev.lanes.testing.RecordingSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Rebalances and stops with work in flight, at the source level: a second consumer joining while
 * handlers are slow, work outliving {@code revokeTimeout} (counted as {@code
 * lanes.transport.redeliveries}), and a stop in the middle of a stream.
 */
@Tag("broker")
class KafkaRebalanceTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  private final KafkaTransport transport = new KafkaTransport();
  private final List<AutoCloseable> opened = new ArrayList<>();
  private final List<ExecutorService> workers = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    workers.forEach(ExecutorService::shutdownNow);
    Collections.reverse(opened);
    for (AutoCloseable closeable : opened) {
      closeable.close();
    }
  }

  @Test
  void aConsumerJoiningWhileHandlersAreSlowGetsOnlyUnfinishedWorkAndNothingIsLost()
      throws Exception {
    TaskConfig task = newTask("join-slow", 2, Map.of());
    publish(task, messages(40));
    Queue<String> ackedByFirst = new ConcurrentLinkedQueue<>();
    KafkaSource first = open(task);
    first.start(slowHandler(ackedByFirst, 4, 50));
    await().atMost(WAIT).until(() -> ackedByFirst.size() >= 4);

    Queue<String> ackedBySecond = new ConcurrentLinkedQueue<>();
    KafkaSource second = open(task);
    second.start(
        new RecordingSink(
            d -> {
              ackedBySecond.add(d.message().payloadAsString());
              d.acknowledger().ack();
            }));
    String topic = first.destinationName();
    await().atMost(WAIT).until(() -> mainPartitions(second, topic).size() == 1);
    assertThat(mainPartitions(first, topic)).hasSize(1);
    Set<String> ownedByFirst = first.ownedPartitions().orElseThrow();
    Set<String> ownedBySecond = second.ownedPartitions().orElseThrow();
    assertThat(ownedByFirst).as("the task's topic only, not the retry topic").hasSize(1);
    assertThat(ownedBySecond).hasSize(1).doesNotContainAnyElementsOf(ownedByFirst);
    Set<String> both = new HashSet<>(ownedByFirst);
    both.addAll(ownedBySecond);
    assertThat(both).containsExactlyInAnyOrder(topic + "-0", topic + "-1");

    publish(task, messages(60).subList(40, 60));
    await().atMost(WAIT).until(() -> ackedByFirst.size() + ackedBySecond.size() >= 60);
    await()
        .during(Duration.ofMillis(500))
        .atMost(WAIT)
        .until(() -> ackedByFirst.size() + ackedBySecond.size() == 60);
    List<String> all = new ArrayList<>(ackedByFirst);
    all.addAll(ackedBySecond);
    assertThat(all)
        .as("each record handled once: the revoke waited for work in flight")
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(KafkaSourceTest.payloads(messages(60)));
    assertThat(ackedBySecond).isNotEmpty();
    assertThat(first.redeliveries().getAsLong())
        .as("the revoke waited for the lanes: nothing left to the new owner")
        .isZero();
  }

  @Test
  void workOutlivingTheRevokeTimeoutGoesToTheNewOwnerAndItsLateAckIsANoOp() throws Exception {
    TaskConfig task = newTask("revoke-timeout", 2, Map.of("kafka.revokeTimeout", "300ms"));
    publish(task, messages(20));
    KafkaSource first = open(task);
    RecordingSink held = new RecordingSink(); // a handler that never finishes in time
    first.start(held);
    held.awaitCount(20, WAIT);

    KafkaSource second = open(task);
    RecordingSink taken = RecordingSink.acking();
    second.start(taken);
    String topic = first.destinationName();
    await().atMost(WAIT).until(() -> mainPartitions(second, topic).size() == 1);
    int moved = mainPartitions(second, topic).iterator().next().partition();

    List<Delivery> stale =
        held.deliveries().stream().filter(d -> d.message().origin().partition() == moved).toList();
    assertThat(stale).isNotEmpty().allMatch(d -> d.acknowledger().isStale());
    taken.awaitCount(stale.size(), WAIT);
    assertThat(ids(taken.deliveries())).containsExactlyInAnyOrderElementsOf(ids(stale));
    assertThat(first.redeliveries().getAsLong())
        .as("the records in lanes that the revoke left to the new owner")
        .isEqualTo(stale.size());
    assertThat(first.reconnects().getAsLong()).as("no outage").isZero();

    held.deliveries().forEach(d -> d.acknowledger().ack()); // late: no-op on the moved partition
    first.flush();
    second.flush();
    String group = first.consumerGroup().orElseThrow();
    Map<Integer, Long> offsets = committed(group, topic);
    assertThat(offsets.get(moved)).isEqualTo((long) stale.size());
    assertThat(offsets.get(1 - moved)).isEqualTo(20L - stale.size());
  }

  @Test
  void stoppingMidStreamLosesNothingAndNeverCommitsPastUnfinishedWork() throws Exception {
    TaskConfig task = newTask("stop-mid", 2, Map.of());
    publish(task, messages(400));
    Queue<Delivery> acked = new ConcurrentLinkedQueue<>();
    KafkaSource first = open(task);
    ExecutorService lanes = Executors.newFixedThreadPool(4);
    workers.add(lanes);
    Random random = new Random(7);
    first.start(
        d ->
            lanes.execute(
                () -> {
                  sleep(random.nextInt(3));
                  acked.add(d);
                  d.acknowledger().ack();
                }));
    await().atMost(WAIT).until(() -> acked.size() >= 100);

    first.stopReceiving();
    lanes.shutdownNow(); // the stop deadline passes: queued work is abandoned unsettled
    assertThat(lanes.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    first.flush();
    first.close();

    String topic = first.destinationName();
    Map<Integer, Set<Long>> done = new java.util.HashMap<>();
    acked.forEach(
        d ->
            done.computeIfAbsent(d.message().origin().partition(), p -> new HashSet<>())
                .add(d.message().origin().offset()));
    Map<Integer, Long> offsets = committed(first.consumerGroup().orElseThrow(), topic);
    offsets.forEach(
        (partition, offset) -> {
          for (long o = 0; o < offset; o++) {
            assertThat(done.getOrDefault(partition, Set.of()))
                .as("committed %s-%d at %d, so %d must be finished", topic, partition, offset, o)
                .contains(o);
          }
        });

    KafkaSource second = open(task);
    RecordingSink rest = RecordingSink.acking();
    second.start(rest);
    Set<String> seen = new HashSet<>();
    acked.forEach(d -> seen.add(d.message().payloadAsString()));
    int uncommitted = 400 - offsets.values().stream().mapToInt(Long::intValue).sum();
    rest.awaitCount(uncommitted, WAIT);
    await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> rest.count() == uncommitted);
    rest.deliveries().forEach(d -> seen.add(d.message().payloadAsString()));
    assertThat(seen).as("nothing lost").hasSize(400);
    assertThat(uncommitted).as("the stop really abandoned work").isLessThan(400);
  }

  // ------------------------------------------------------------------ helpers

  /** A sink whose "handlers" sleep {@code millis} on {@code threads} threads, then ack. */
  private RecordingSink slowHandler(Queue<String> acked, int threads, int millis) {
    ExecutorService lanes = Executors.newFixedThreadPool(threads);
    workers.add(lanes);
    return new RecordingSink(
        d ->
            lanes.execute(
                () -> {
                  sleep(millis);
                  if (!d.acknowledger().isStale()) {
                    acked.add(d.message().payloadAsString());
                    d.acknowledger().ack();
                  }
                }));
  }

  private static Set<TopicPartition> mainPartitions(KafkaSource source, String topic) {
    return source.assignment().stream()
        .filter(p -> p.topic().equals(topic))
        .collect(Collectors.toSet());
  }

  private static List<String> ids(List<Delivery> deliveries) {
    return deliveries.stream().map(d -> d.message().id()).toList();
  }

  private static void sleep(int millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private TaskConfig newTask(String scenario, int partitions, Map<String, Object> overrides) {
    String topic = createTopic(unique(scenario), partitions);
    return KafkaBroker.task(scenario, topic, unique(scenario + "-group"), overrides);
  }

  private KafkaSource open(TaskConfig task) {
    KafkaSource source = (KafkaSource) transport.openSource(task);
    opened.add(source);
    return source;
  }

  private void publish(TaskConfig task, List<Message> messages) throws Exception {
    try (Publisher publisher = transport.openPublisher(task)) {
      publisher.publishAll(messages);
    }
  }
}
