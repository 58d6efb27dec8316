package dev.lanes.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.lanes.api.Message;
import dev.lanes.spi.Delivery;
import dev.lanes.spi.LanesHeaders;
import dev.lanes.spi.TaskConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code amqp.partitions}: a consistent-hash exchange spreads keys over {@code <queue>.0 …
 * <queue>.K-1}, each with a single active consumer, and one source consumes all of them.
 */
@Tag("broker")
class AmqpPartitionsTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int PARTITIONS = 3;

  private RabbitBroker broker;

  @BeforeEach
  void connect() {
    broker = RabbitBroker.connect();
  }

  @AfterEach
  void cleanUp() throws Exception {
    broker.close();
  }

  private TaskConfig partitioned(String name, Map<String, Object> more) {
    Map<String, Object> amqp = new HashMap<>(more);
    amqp.put("exchange", name + ".x");
    amqp.put("partitions", PARTITIONS);
    return broker.task(name, amqp);
  }

  private static AmqpSource open(TaskConfig task) {
    return (AmqpSource) new AmqpTransport().openSource(task);
  }

  /** The {@code seq} header of each delivery, by key, in delivery order. */
  private static Map<String, List<Integer>> seqsByKey(List<Delivery> deliveries) {
    Map<String, List<Integer>> byKey = new TreeMap<>();
    for (Delivery d : deliveries) {
      byKey
          .computeIfAbsent(d.message().key(), k -> new ArrayList<>())
          .add(Integer.parseInt(d.message().headers().get("seq")));
    }
    return byKey;
  }

  @Test
  void messagesOfOneKeyLandInOneQueueAndOneSourceConsumesAllQueues() throws Exception {
    String name = RabbitBroker.unique("parts");
    TaskConfig task = partitioned(name, Map.of());
    RabbitBroker.publish(task, RabbitBroker.messages("m", 120, 40));

    long total = 0;
    for (int p = 0; p < PARTITIONS; p++) {
      long ready = broker.ready(name + "." + p);
      assertThat(ready).as("messages in %s.%d", name, p).isPositive();
      total += ready;
    }
    assertThat(total).isEqualTo(120);

    Collector sink = new Collector();
    try (AmqpSource source = open(task)) {
      assertThat(source.ownedPartitions()).as("before start").hasValue(Set.of());
      source.start(sink);
      List<Delivery> got = sink.take(120, WAIT);
      assertThat(source.ownedPartitions())
          .as("the one consumer is active on every queue")
          .hasValue(Set.of(name + ".0", name + ".1", name + ".2"));
      Map<String, Set<Integer>> partitionsByKey = new HashMap<>();
      Set<Integer> partitions = new HashSet<>();
      for (Delivery d : got) {
        assertThat(d.message().origin().destination()).isEqualTo(name);
        int partition = d.message().origin().partition();
        partitions.add(partition);
        partitionsByKey.computeIfAbsent(d.message().key(), k -> new HashSet<>()).add(partition);
      }
      assertThat(partitions).containsExactlyInAnyOrder(0, 1, 2);
      assertThat(partitionsByKey).hasSize(40).allSatisfy((key, in) -> assertThat(in).hasSize(1));
      seqsByKey(got).forEach((key, seqs) -> assertThat(seqs).as(key).isSorted());
      got.forEach(d -> d.acknowledger().ack());
      source.flush();
    }
    for (int p = 0; p < PARTITIONS; p++) {
      assertThat(broker.ready(name + "." + p)).isZero();
    }
  }

  @Test
  void aSecondSourceStaysIdleUntilTheFirstClosesThenTakesOverWithNothingLost() throws Exception {
    String name = RabbitBroker.unique("sac");
    TaskConfig task = partitioned(name, Map.of("prefetch", 10));
    RabbitBroker.publish(task, RabbitBroker.messages("m", 90, 30));
    Collector firstSink = new Collector();
    Collector secondSink = new Collector();
    List<Delivery> handled = new ArrayList<>();

    AmqpSource first = open(task);
    try (AmqpSource second = open(task)) {
      first.start(firstSink);
      second.start(secondSink);
      List<Delivery> window = firstSink.take(10, WAIT);
      assertThat(firstSink.poll(Duration.ofMillis(300))).as("prefetch of the task").isNull();
      window.forEach(d -> d.acknowledger().ack());
      handled.addAll(window);
      // pause and stop must not cancel: that would hand the queues over mid-flight
      first.pause();
      List<Delivery> more = firstSink.take(10, WAIT);
      more.subList(0, 5).forEach(d -> d.acknowledger().ack());
      handled.addAll(more.subList(0, 5));
      first.stopReceiving();
      first.flush();
      assertThat(secondSink.poll(Duration.ofMillis(500))).as("the standby while active").isNull();
      assertThat(first.ownedPartitions().orElseThrow()).isNotEmpty();
      assertThat(second.ownedPartitions()).as("the standby owns nothing").hasValue(Set.of());

      first.close(); // 5 unacked deliveries (and what arrived after the stop) go back
      List<Delivery> rest = new ArrayList<>();
      for (int i = 0; i < 75; i++) {
        Delivery next = secondSink.take(1, WAIT).get(0);
        next.acknowledger().ack();
        rest.add(next);
      }
      assertThat(secondSink.poll(Duration.ofMillis(300))).isNull();
      assertThat(first.ownedPartitions()).as("closed").hasValue(Set.of());
      assertThat(second.ownedPartitions())
          .as("took over every queue")
          .hasValue(Set.of(name + ".0", name + ".1", name + ".2"));
      second.flush();

      Set<String> ids = new HashSet<>();
      handled.forEach(d -> ids.add(d.message().id()));
      rest.forEach(d -> assertThat(ids.add(d.message().id())).isTrue());
      assertThat(ids).hasSize(90);
      List<Delivery> all = new ArrayList<>(handled);
      all.addAll(rest);
      seqsByKey(all).forEach((key, seqs) -> assertThat(seqs).as(key).isSorted());
    } finally {
      first.close();
    }
    for (int p = 0; p < PARTITIONS; p++) {
      assertThat(broker.ready(name + "." + p)).isZero();
    }
  }

  @Test
  void quorumPartitionQueuesShareThePrefetchWindowAmongTheirConsumers() throws Exception {
    String name = RabbitBroker.unique("partquorum");
    TaskConfig task = partitioned(name, Map.of("queueType", "quorum", "prefetch", 6));
    RabbitBroker.publish(task, RabbitBroker.messages("m", 60, 60));
    Collector sink = new Collector();

    try (AmqpSource source = open(task)) {
      source.start(sink);
      List<Delivery> window = sink.take(6, WAIT);
      assertThat(sink.poll(Duration.ofMillis(500))).as("2 per queue, 6 for the task").isNull();
      window.forEach(d -> d.acknowledger().ack());
      for (int i = 6; i < 60; i++) {
        sink.take(1, WAIT).get(0).acknowledger().ack();
      }
      source.flush();
    }
    for (int p = 0; p < PARTITIONS; p++) {
      assertThat(broker.ready(name + "." + p)).isZero();
    }
  }

  @Test
  void retriesReturnToTheirOwnPartitionQueue() throws Exception {
    String name = RabbitBroker.unique("partretry");
    TaskConfig task = partitioned(name, Map.of("retryDelays", List.of("200ms")));
    RabbitBroker.publish(task, RabbitBroker.messages("m", 30, 30));
    Collector sink = new Collector();

    try (AmqpSource source = open(task)) {
      source.start(sink);
      List<Delivery> got = sink.take(30, WAIT);
      Map<String, Integer> partitionOf = new HashMap<>();
      for (Delivery d : got) {
        partitionOf.put(d.message().id(), d.message().origin().partition());
        Duration delay =
            d.message().id().hashCode() % 2 == 0 ? Duration.ZERO : Duration.ofMillis(150);
        d.acknowledger().retry(delay, 2);
      }
      assertThat(new HashSet<>(partitionOf.values())).containsExactlyInAnyOrder(0, 1, 2);
      List<Delivery> back = sink.take(30, WAIT);
      for (Delivery d : back) {
        assertThat(d.message().attempt()).isEqualTo(2);
        assertThat(d.message().origin().partition())
            .as("partition of %s", d.message().id())
            .isEqualTo(partitionOf.get(d.message().id()));
        d.acknowledger().ack();
      }
      source.flush();
    }
  }

  @Test
  void aForeignPublisherWithTheKeyHeaderReachesThePartitionOfLanesOwnPublisher() throws Exception {
    String name = RabbitBroker.unique("partforeign");
    TaskConfig task = partitioned(name, Map.of());
    List<Message> own = RabbitBroker.messages("own", 20, 20);
    RabbitBroker.publish(task, own);
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(RabbitBroker.URI);
    try (Connection connection = factory.newConnection("lanes-test-foreign");
        Channel channel = connection.createChannel()) {
      for (int i = 0; i < 20; i++) {
        AMQP.BasicProperties props =
            new AMQP.BasicProperties.Builder()
                .messageId("foreign-" + i)
                .headers(Map.of(AmqpMessages.KEY, "k" + i, "seq", Integer.toString(100 + i)))
                .build();
        channel.basicPublish(
            name + ".x", "any", props, ("{\"seq\":" + i + "}").getBytes(StandardCharsets.UTF_8));
      }
    }
    Collector sink = new Collector();
    try (AmqpSource source = open(task)) {
      source.start(sink);
      List<Delivery> got = sink.take(40, WAIT);
      Map<String, Set<Integer>> partitionsByKey = new HashMap<>();
      for (Delivery d : got) {
        partitionsByKey
            .computeIfAbsent(d.message().key(), k -> new HashSet<>())
            .add(d.message().origin().partition());
      }
      assertThat(partitionsByKey).hasSize(20).allSatisfy((key, in) -> assertThat(in).hasSize(1));
      Delivery rejected = got.get(0);
      rejected.acknowledger().reject("bad", 1);
      got.subList(1, 40).forEach(d -> d.acknowledger().ack());
      source.flush();

      GetResponse dead = await().atMost(WAIT).until(() -> firstOf(name + ".dlq"), r -> r != null);
      assertThat(AmqpMessages.text(dead.getProps().getHeaders()))
          .containsEntry(LanesHeaders.ORIGINAL_DESTINATION, name)
          .containsEntry(
              LanesHeaders.ORIGINAL_PARTITION,
              Integer.toString(rejected.message().origin().partition()));
    }
  }

  private GetResponse firstOf(String queue) throws Exception {
    List<GetResponse> got = broker.drain(queue);
    return got.isEmpty() ? null : got.get(0);
  }

  @Test
  void oneQueueHasNoPartitionsToOwn() {
    try (AmqpSource source = open(broker.task(RabbitBroker.unique("one"), Map.of()))) {
      assertThat(source.ownedPartitions()).isEmpty();
    }
  }
}
