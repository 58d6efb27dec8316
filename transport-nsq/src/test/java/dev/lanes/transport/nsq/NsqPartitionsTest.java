package dev.lanes.transport.nsq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sproutsocial.nsq.Client;
import dev.lanes.api.Message;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.spi.Delivery;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.TaskConfig;
import dev.lanes.testing.RecordingSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code nsq.partitions}: routing by key, static ownership and the start guard, on real nsqd. */
@Tag("broker")
class NsqPartitionsTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final NsqTransport transport = new NsqTransport();
  private final NsqTestBed bed = new NsqTestBed();

  @BeforeAll
  static void brokers() {
    NsqTestBed.requireBrokers();
  }

  @AfterEach
  void cleanUp() {
    bed.deleteTopics();
  }

  private static TaskConfig task(String name, String topic, int partitions, List<Integer> owned) {
    return NsqTestBed.task(
        name, topic, Map.of("nsq.partitions", partitions, "nsq.ownedPartitions", owned));
  }

  private static Message keyed(String key, int seq) {
    return Message.builder().id("unsent").key(key).payload(key + ":" + seq).build();
  }

  @Test
  void publisherRoutesAKeyToOnePartitionAndSpreadsKeysOverAll() {
    NsqSettings settings = NsqSettings.from(task("route", "orders", 6, List.of(0)));
    try (NsqPublisher publisher =
        new NsqPublisher(new Client(), true, settings, "orders", settings.partitions())) {
      assertThat(publisher.topicOf(keyed("order-42", 1)))
          .as("CRC32('order-42') = 1475806942, mod 6 = 4 (Python: zlib.crc32(b'order-42') % 6)")
          .isEqualTo("orders.4");
      for (int seq = 0; seq < 5; seq++) {
        assertThat(publisher.topicOf(keyed("customer-7", seq))).isEqualTo("orders.2");
      }
      assertThat(publisher.topicOf(Message.builder().id("x").payload("no key").build()))
          .isEqualTo("orders.0");
      Map<String, Integer> perTopic = new HashMap<>();
      for (int k = 0; k < 1000; k++) {
        perTopic.merge(publisher.topicOf(keyed("key-" + k, 0)), 1, Integer::sum);
      }
      assertThat(perTopic.keySet())
          .containsExactlyInAnyOrder(
              "orders.0", "orders.1", "orders.2", "orders.3", "orders.4", "orders.5");
      assertThat(perTopic.values()).allSatisfy(n -> assertThat(n).isBetween(120, 220));
    }
  }

  @Test
  void aSourceOwningTwoOfThreePartitionsReceivesExactlyTheirMessagesInKeyOrder() throws Exception {
    String topic = bed.topic("owned", 3);
    TaskConfig publishing = task("owned", topic, 3, List.of(0));
    List<Message> sent = new ArrayList<>();
    for (int seq = 0; seq < 5; seq++) {
      for (int k = 0; k < 30; k++) {
        sent.add(keyed("k" + k, seq));
      }
    }
    try (Publisher publisher = transport.openPublisher(publishing)) {
      publisher.publishAll(sent);
    }
    List<String> expected =
        sent.stream()
            .filter(m -> Partitioner.partition(m.key(), 3) != 2)
            .map(Message::payloadAsString)
            .toList();
    assertThat(expected).hasSizeBetween(30, 140);
    RecordingSink sink = new RecordingSink();
    try (NsqSource source =
        (NsqSource) transport.openSource(task("owned", topic, 3, List.of(1, 0)))) {
      assertThat(source.ownedPartitions()).contains(Set.of(topic + ".0", topic + ".1"));
      source.start(sink);
      List<Delivery> got = sink.next(expected.size(), WAIT);
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(source.backlog())
                      .as("in flight over the owned partitions, not partition 2's")
                      .hasValue(expected.size()));
      assertThat(got)
          .as("nsqd's message ids are unique per topic only: no delivery supersedes another's")
          .noneMatch(d -> d.acknowledger().isStale());
      got.forEach(d -> d.acknowledger().ack());
      await().atMost(WAIT).untilAsserted(() -> assertThat(source.backlog()).hasValue(0));
      sink.assertQuietFor(Duration.ofSeconds(1));
      for (Delivery d : got) {
        assertThat(d.message().origin().destination()).isEqualTo(topic);
        assertThat(d.message().origin().partition())
            .as("origin of %s", d.message().payloadAsString())
            .isEqualTo(Partitioner.partition(d.message().key(), 3));
      }
      List<String> payloads = got.stream().map(d -> d.message().payloadAsString()).toList();
      assertThat(payloads).containsExactlyInAnyOrderElementsOf(expected);
      Map<String, Integer> lastSeq = new HashMap<>();
      for (String p : payloads) {
        String key = p.substring(0, p.indexOf(':'));
        int seq = Integer.parseInt(p.substring(p.indexOf(':') + 1));
        Integer before = lastSeq.put(key, seq);
        assertThat(before == null ? -1 : before).as("order of key %s", key).isLessThan(seq);
      }
    }
    assertThat(NsqTestBed.stats(topic + ".2", "owned"))
        .as("nobody subscribed to partition 2")
        .isEqualTo(ChannelStats.NONE);
    assertThat(NsqTestBed.topicDepth(topic + ".2"))
        .as("partition 2's messages wait for their owner")
        .isEqualTo(sent.size() - expected.size());
  }

  @Test
  void aSecondSourceOnAnOwnedPartitionIsRefusedAtStart() throws Exception {
    String topic = bed.topic("guard", 3);
    for (int p = 0; p < 3; p++) {
      NsqTestBed.createTopic(topic + "." + p);
    }
    try (NsqSource first =
        (NsqSource) transport.openSource(task("guard", topic, 3, List.of(0, 1)))) {
      first.start(new RecordingSink());
      NsqSource second = (NsqSource) transport.openSource(task("guard", topic, 3, List.of(1, 2)));
      assertThatThrownBy(() -> second.start(new RecordingSink()))
          .isInstanceOf(ReadyFailedException.class)
          .hasMessageContaining(
              "task 'guard': nsq.ownedPartitions: partition 1 (topic " + topic + ".1")
          .hasMessageContaining("already has a consumer on nsqd")
          .hasMessageContaining("guard at 127.0.0.1:");
      second.close();
      try (NsqSource third =
          (NsqSource) transport.openSource(task("guard", topic, 3, List.of(2)))) {
        third.start(new RecordingSink());
        assertThat(third.isConnected()).isTrue();
      }
    }
  }
}
