package dev.lanes.transport.kafka;

import static dev.lanes.transport.kafka.KafkaBroker.committed;
import static dev.lanes.transport.kafka.KafkaBroker.createTopic;
import static dev.lanes.transport.kafka.KafkaBroker.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.lanes.api.Message;
import dev.lanes.api.Origin;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.spi.Delivery;
import dev.lanes.spi.LanesHeaders;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.TransportContext;
import dev.lanes.testing.RecordingSink;
import dev.lanes.testing.Threads;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The Kafka source against the real broker, without the dispatcher. */
@Tag("broker")
class KafkaSourceTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final KafkaTransport transport = new KafkaTransport();
  private final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    Collections.reverse(opened);
    for (AutoCloseable closeable : opened) {
      closeable.close();
    }
  }

  @Test
  void deliversKeyPayloadHeadersAndOriginOfEachRecord() throws Exception {
    TaskConfig task = newTask("intact", 1, Map.of());
    publish(
        task,
        List.of(
            Message.builder()
                .id("a")
                .key("k1")
                .payload("one")
                .headers(Map.of("trace", "t1"))
                .build(),
            Message.builder().id("b").payload("two").build()));
    KafkaSource source = open(task);
    RecordingSink sink = RecordingSink.acking();
    source.start(sink);

    List<Delivery> got = sink.awaitCount(2, WAIT);
    String topic = source.destinationName();
    Message first = got.get(0).message();
    assertThat(first.key()).isEqualTo("k1");
    assertThat(first.payloadAsString()).isEqualTo("one");
    assertThat(first.headers()).containsEntry("trace", "t1");
    assertThat(first.attempt()).isEqualTo(1);
    assertThat(first.origin()).isEqualTo(new Origin(topic, 0, 0));
    assertThat(first.id()).isEqualTo(topic + "-0@0");
    Message second = got.get(1).message();
    assertThat(second.key()).isNull();
    assertThat(second.payloadAsString()).isEqualTo("two");
    assertThat(second.origin().offset()).isEqualTo(1);
    assertThat(source.consumerGroup()).contains(task.config().getString("kafka.group"));
    assertThat(source.isConnected()).isTrue();
  }

  @Test
  void itsThreadsAreTheTwoPollThreadsNamedByTheTransportContextAndEndAtClose() throws Exception {
    String name = unique("threads");
    TaskConfig task =
        KafkaBroker.task(name, createTopic(name, 1), unique("threads-group"), Map.of());
    KafkaSource source = open(task);
    source.start(RecordingSink.acking());
    assertThat(Threads.of(task))
        .containsExactlyInAnyOrder(
            "lanes-" + name + "-kafka-poll", "lanes-" + name + "-kafka-retry-poll");
    source.close();
    await().atMost(WAIT).until(() -> Threads.of(task).isEmpty());
  }

  @Test
  void theClientsOwnMetricsAreOnTheTasksMetersUntilCloseUnlessTurnedOff() throws Exception {
    String name = unique("clientmetrics");
    String topic = createTopic(name, 1);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    KafkaSource source =
        open(KafkaBroker.task(name, topic, unique("clientmetrics-group"), Map.of()), registry);
    source.start(RecordingSink.acking());

    assertThat(kafkaMeters(registry, name))
        .anyMatch(meter -> meter.startsWith("kafka.consumer.fetch.manager."))
        .anyMatch(meter -> meter.startsWith("kafka.producer."));
    source.close();
    assertThat(kafkaMeters(registry, name)).as("unbound at close").isEmpty();

    String off = unique("clientmetrics-off");
    SimpleMeterRegistry quiet = new SimpleMeterRegistry();
    KafkaSource without =
        open(
            KafkaBroker.task(
                off, topic, unique("clientmetrics-group"), Map.of("kafka.clientMetrics", false)),
            quiet);
    without.start(RecordingSink.acking());
    assertThat(kafkaMeters(quiet, off)).isEmpty();
  }

  private KafkaSource open(TaskConfig task, MeterRegistry registry) {
    KafkaSource source =
        (KafkaSource)
            transport.openSource(
                TransportContext.of(task, registry, Tags.of("lanes.task", task.name())));
    opened.add(source);
    return source;
  }

  private static Set<String> kafkaMeters(MeterRegistry registry, String task) {
    return registry.getMeters().stream()
        .filter(meter -> task.equals(meter.getId().getTag("lanes.task")))
        .map(meter -> meter.getId().getName())
        .filter(meter -> meter.startsWith("kafka."))
        .collect(Collectors.toSet());
  }

  @Test
  void handsEachPollToTheSinkAsOneBatchInOffsetOrder() throws Exception {
    TaskConfig task = newTask("batched", 1, Map.of());
    publish(task, messages(300));
    KafkaSource source = open(task);
    RecordingSink sink = RecordingSink.acking();
    source.start(sink);

    List<Delivery> got = sink.awaitCount(300, WAIT);
    assertThat(payloads(got)).containsExactlyElementsOf(payloads(messages(300)));
    assertThat(sink.singles()).as("nothing handed over one by one").isZero();
    assertThat(sink.batchSizes().stream().mapToInt(Integer::intValue).sum()).isEqualTo(300);
    assertThat(sink.batchSizes()).as("a poll of a backlog brings many").anyMatch(size -> size > 1);
  }

  @Test
  void commitsOnlyUpToTheOldestUnfinishedRecordAndTheNextConsumerStartsThere() throws Exception {
    TaskConfig task = newTask("contiguous", 1, Map.of());
    publish(task, messages(10));
    KafkaSource first = open(task);
    RecordingSink sink = new RecordingSink();
    first.start(sink);
    List<Delivery> got = sink.awaitCount(10, WAIT);
    for (int i = 9; i >= 0; i--) { // finish out of order, leaving offsets 3 and 7 unfinished
      if (i != 3 && i != 7) {
        got.get(i).acknowledger().ack();
      }
    }
    first.stopReceiving();
    first.flush();
    first.close();
    String topic = first.destinationName();
    String group = first.consumerGroup().orElseThrow();
    assertThat(committed(group, topic)).containsEntry(0, 3L);

    KafkaSource second = open(task);
    RecordingSink again = RecordingSink.acking();
    second.start(again);
    // m4..m6, m8 and m9 were finished: the commit's metadata lists them and they are skipped
    assertThat(payloads(again.awaitCount(2, WAIT))).containsExactly("m3", "m7");
    second.flush();
    assertThat(again.count()).as("nothing finished is delivered again").isEqualTo(2);
    assertThat(committed(group, topic)).containsEntry(0, 10L);
  }

  @Test
  void ackedRecordsAreNotDeliveredAgain() throws Exception {
    TaskConfig task = newTask("acked", 2, Map.of());
    publish(task, messages(20));
    KafkaSource first = open(task);
    RecordingSink sink = RecordingSink.acking();
    first.start(sink);
    sink.awaitCount(20, WAIT);
    first.stopReceiving();
    first.flush();
    first.close();

    KafkaSource second = open(task);
    RecordingSink again = RecordingSink.acking();
    second.start(again);
    publish(task, List.of(Message.builder().id("late").key("late").payload("late").build()));
    again.awaitCount(1, WAIT);
    await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> again.count() == 1);
    assertThat(payloads(again.deliveries())).containsExactly("late");
  }

  @Test
  void pauseStopsDeliveriesSoonAndResumeDeliversTheRest() throws Exception {
    TaskConfig task = newTask("pause", 1, Map.of("kafka.consumer.max.poll.records", 10));
    publish(task, messages(200));
    KafkaSource source = open(task);
    RecordingSink sink =
        new RecordingSink(
            d -> {
              d.acknowledger().ack();
              if (d.message().origin().offset() == 19) {
                source
                    .pause(); // as the dispatcher does when lanes fill: inside accept, on the poll
                // thread
              }
            });
    source.start(sink);

    sink.awaitCount(20, WAIT);
    // the rest of the poll being handed out may still come (max.poll.records = 10), no more
    await().during(Duration.ofMillis(700)).atMost(WAIT).until(() -> sink.count() <= 30);
    source.resume();
    assertThat(payloads(sink.awaitCount(200, WAIT))).isEqualTo(payloads(messages(200)));
  }

  @Test
  void retryComesBackFromTheRetryTopicWhenDueWithTheNextAttempt() throws Exception {
    TaskConfig task = newTask("retry", 1, Map.of());
    publish(task, List.of(Message.builder().id("x").key("k").payload("again").build()));
    Map<Integer, Long> handledAt = new ConcurrentHashMap<>();
    KafkaSource source = open(task);
    RecordingSink sink =
        new RecordingSink(
            d -> {
              handledAt.put(d.message().attempt(), System.currentTimeMillis());
              if (d.message().attempt() == 1) {
                d.acknowledger().retry(Duration.ofSeconds(1), d.message().attempt() + 1);
              } else {
                d.acknowledger().ack();
              }
            });
    source.start(sink);

    List<Delivery> got = sink.awaitCount(2, WAIT);
    String topic = source.destinationName();
    Message retried = got.get(1).message();
    assertThat(retried.attempt()).isEqualTo(2);
    assertThat(retried.id()).isEqualTo(got.get(0).message().id());
    assertThat(retried.key()).isEqualTo("k");
    assertThat(retried.payloadAsString()).isEqualTo("again");
    String group = source.consumerGroup().orElseThrow();
    assertThat(retried.origin().destination()).isEqualTo(topic + "." + group + ".retry");
    assertThat(retried.headers())
        .containsEntry(LanesHeaders.ORIGINAL_DESTINATION, topic)
        .containsEntry(LanesHeaders.ORIGINAL_PARTITION, "0")
        .containsEntry(LanesHeaders.ORIGINAL_OFFSET, "0");
    assertThat(handledAt.get(2) - handledAt.get(1)).isGreaterThanOrEqualTo(1000);
    source.flush();
    assertThat(committed(group, topic)).containsEntry(0, 1L);
    assertThat(committed(group + ".retry", topic + "." + group + ".retry")).containsEntry(0, 1L);
  }

  @Test
  void aLateRetryDoesNotHoldBackAnEarlierDueRetryBehindIt() throws Exception {
    TaskConfig task = newTask("retry-order", 1, Map.of());
    publish(
        task,
        List.of(
            Message.builder().id("s").key("slow").payload("slow").build(),
            Message.builder().id("f").key("fast").payload("fast").build()));
    Map<String, Long> returnedAt = new ConcurrentHashMap<>();
    KafkaSource source = open(task);
    RecordingSink sink =
        new RecordingSink(
            d -> {
              Message m = d.message();
              if (m.attempt() == 1) {
                d.acknowledger()
                    .retry(
                        Duration.ofMillis(m.key().equals("slow") ? 4000 : 200),
                        d.message().attempt() + 1);
              } else {
                returnedAt.put(m.key(), System.currentTimeMillis());
                d.acknowledger().ack();
              }
            });
    long start = System.currentTimeMillis();
    source.start(sink);

    sink.awaitCount(4, WAIT);
    assertThat(returnedAt.get("fast") - start)
        .as("fast retry waits only its own delay")
        .isLessThan(3000);
    assertThat(returnedAt.get("slow") - start).isGreaterThanOrEqualTo(4000);
  }

  @Test
  void aFullRetryHoldPausesTheRetryTopicAndLosesNothing() throws Exception {
    TaskConfig task = newTask("retry-hold", 1, Map.of("kafka.retryHoldMax", 2));
    publish(task, messages(8));
    KafkaSource source = open(task);
    RecordingSink sink =
        new RecordingSink(
            d -> {
              if (d.message().attempt() == 1) {
                d.acknowledger().retry(Duration.ofMillis(300), d.message().attempt() + 1);
              } else {
                d.acknowledger().ack();
              }
            });
    source.start(sink);

    sink.awaitCount(16, WAIT);
    List<String> retried =
        sink.deliveries().stream()
            .filter(d -> d.message().attempt() == 2)
            .map(d -> d.message().payloadAsString())
            .sorted()
            .toList();
    assertThat(retried).isEqualTo(payloads(messages(8)).stream().sorted().toList());
  }

  @Test
  void rejectWritesADeadLetterWithReasonAttemptAndOriginalCoordinates() throws Exception {
    TaskConfig task = newTask("reject", 1, Map.of());
    publish(
        task,
        List.of(
            Message.builder().id("g").key("good").payload("fine").build(),
            Message.builder()
                .id("b")
                .key("bad")
                .payload("broken")
                .headers(Map.of("h", "v"))
                .build()));
    KafkaSource source = open(task);
    source.start(
        new RecordingSink(
            d -> {
              if (d.message().key().equals("bad")) {
                d.acknowledger().reject("unparseable order", d.message().attempt());
              } else {
                d.acknowledger().ack();
              }
            }));
    String topic = source.destinationName();

    TaskConfig deadLetters =
        KafkaBroker.task(unique("dlt-reader"), topic + ".DLT", unique("dlt-group"), Map.of());
    KafkaSource reader = open(deadLetters);
    RecordingSink dead = RecordingSink.acking();
    reader.start(dead);
    Message letter = dead.awaitCount(1, WAIT).get(0).message();
    assertThat(letter.key()).isEqualTo("bad");
    assertThat(letter.payloadAsString()).isEqualTo("broken");
    assertThat(letter.headers())
        .containsEntry("h", "v")
        .containsEntry(LanesHeaders.REASON, "unparseable order")
        .containsEntry(LanesHeaders.ATTEMPT, "1")
        .containsEntry(LanesHeaders.ORIGINAL_DESTINATION, topic)
        .containsEntry(LanesHeaders.ORIGINAL_PARTITION, "0")
        .containsEntry(LanesHeaders.ORIGINAL_OFFSET, "1")
        .containsEntry(LanesHeaders.ORIGINAL_ID, topic + "-0@1");
    source.flush();
    assertThat(committed(source.consumerGroup().orElseThrow(), topic)).containsEntry(0, 2L);
  }

  @Test
  void aRetryTheBrokerRefusesToStoreLeavesTheMessageUncommittedNotLost() throws Exception {
    TaskConfig task = newTask("retry-refused", 1, Map.of());
    String topic = task.config().getString("kafka.topic");
    createTopic(
        topic + "." + task.config().getString("kafka.group") + ".retry",
        1,
        Map.of("max.message.bytes", "64"));
    publish(
        task,
        List.of(
            Message.builder().key("big").payload("x".repeat(500)).build(),
            Message.builder().key("small").payload("s").build()));
    KafkaSource source = open(task);
    RecordingSink sink =
        new RecordingSink(
            d -> {
              if (d.message().key().equals("big")) {
                d.acknowledger().retry(Duration.ofSeconds(1), d.message().attempt() + 1);
              } else {
                d.acknowledger().ack();
              }
            });
    source.start(sink);
    sink.awaitCount(2, WAIT);

    source.flush();
    String group = source.consumerGroup().orElseThrow();
    assertThat(committed(group, topic).getOrDefault(0, 0L))
        .as("not past offset 0, the message whose retry was refused")
        .isZero();
    source.close();
    KafkaSource next = open(task);
    RecordingSink again = RecordingSink.acking();
    next.start(again);
    assertThat(again.awaitCount(1, WAIT))
        .extracting(d -> d.message().key())
        .containsExactly("big"); // "small" was acked: the commit's metadata says so
  }

  @Test
  void backlogIsTheConsumerLagPerPartitionAndInTotal() throws Exception {
    TaskConfig task = newTask("lag", 2, Map.of());
    publish(task, messages(30));
    KafkaSource source = open(task);
    RecordingSink sink = new RecordingSink();
    source.start(sink);
    List<Delivery> got = sink.awaitCount(30, WAIT);
    String topic = source.destinationName();
    String retryTopic = topic + "." + source.consumerGroup().orElseThrow() + ".retry";

    assertThat(source.backlog()).hasValue(30);
    Map<String, Long> lag =
        source.lagByPartition().entrySet().stream()
            .collect(Collectors.toMap(e -> e.getKey().toString(), Map.Entry::getValue));
    assertThat(lag.keySet())
        .containsExactlyInAnyOrder(
            topic + "-0", topic + "-1", retryTopic + "-0", retryTopic + "-1");
    long onPartition0 = got.stream().filter(d -> d.message().origin().partition() == 0).count();
    assertThat(lag)
        .containsEntry(topic + "-0", onPartition0)
        .containsEntry(topic + "-1", 30 - onPartition0)
        .containsEntry(retryTopic + "-0", 0L);

    got.forEach(d -> d.acknowledger().ack());
    await().atMost(WAIT).untilAsserted(() -> assertThat(source.backlog()).hasValue(0));
  }

  @Test
  void startFailsReadyFailedWhenTheBrokerDoesNotAnswer() {
    TaskConfig task =
        KafkaBroker.task(
            "nobroker",
            "t",
            "g",
            Map.of("kafka.bootstrap", "127.0.0.1:1", "kafka.connectTimeout", "1s"));
    KafkaSource source = open(task);
    assertThatThrownBy(() -> source.start(new RecordingSink()))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining(
            "task 'nobroker': kafka.bootstrap: expected a reachable Kafka broker"
                + " at 127.0.0.1:1 within PT1S");
  }

  @Test
  void startFailsReadyFailedWhenTheTopicDoesNotExist() {
    String topic = unique("missing");
    KafkaSource source = open(KafkaBroker.task("notopic", topic, unique("g"), Map.of()));
    assertThatThrownBy(() -> source.start(new RecordingSink()))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining(
            "kafka.topic: expected an existing topic, but '" + topic + "' does not exist");
  }

  @Test
  void openingAPublisherFailsReadyFailedWhenTheBrokerDoesNotAnswer() {
    TaskConfig task =
        KafkaBroker.task(
            "nobroker",
            "t",
            "g",
            Map.of("kafka.bootstrap", "127.0.0.1:1", "kafka.connectTimeout", "1s"));
    assertThatThrownBy(() -> transport.openPublisher(task))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("kafka.topic: expected topic 't' available on 127.0.0.1:1");
  }

  // ------------------------------------------------------------------ helpers

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

  static List<Message> messages(int count) {
    return IntStream.range(0, count)
        .mapToObj(i -> Message.builder().id("m" + i).key("k" + i).payload("m" + i).build())
        .toList();
  }

  static List<String> payloads(List<?> items) {
    return items.stream()
        .map(item -> item instanceof Delivery d ? d.message() : (Message) item)
        .map(Message::payloadAsString)
        .toList();
  }

  static Set<String> payloadSet(List<Delivery> deliveries) {
    return deliveries.stream().map(d -> d.message().payloadAsString()).collect(Collectors.toSet());
  }
}
