package dev.lanes.transport.nsq;

import static dev.lanes.transport.nsq.NsqTestBed.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.lanes.api.Message;
import dev.lanes.spi.Delivery;
import dev.lanes.spi.LanesHeaders;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.TaskConfig;
import dev.lanes.testing.RecordingSink;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The NSQ source and publisher driven directly (no dispatcher) against the real nsqd. */
@Tag("broker")
class NsqSourceTest {

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

  @Test
  void deliversForeignBodiesAsTheyAreAndRestoresKeyAndHeadersOfLanesMessages() throws Exception {
    String topic = bed.topic("intact");
    TaskConfig task = NsqTestBed.task("intact", topic, Map.of());
    NsqTestBed.publishHttp(topic, "from another client");
    try (Publisher publisher = transport.openPublisher(task)) {
      publisher.publish(
          Message.builder()
              .id("x")
              .key("o-7")
              .headers(Map.of("h", "v"))
              .payload("{\"order_id\":7}")
              .build());
      publisher.publish(message("raw"));
    }
    Instant published = Instant.now();
    RecordingSink sink = new RecordingSink();
    try (NsqSource source = (NsqSource) transport.openSource(task)) {
      source.start(sink);
      List<Delivery> got = sink.next(3, WAIT);

      Message foreign = got.get(0).message();
      assertThat(foreign.payloadAsString()).isEqualTo("from another client");
      assertThat(foreign.key()).isNull();
      assertThat(foreign.headers()).isEmpty();
      Message enveloped = got.get(1).message();
      assertThat(enveloped.payloadAsString()).isEqualTo("{\"order_id\":7}");
      assertThat(enveloped.key()).isEqualTo("o-7");
      assertThat(enveloped.headers()).isEqualTo(Map.of("h", "v"));
      assertThat(enveloped.field("order_id")).contains(7L);
      assertThat(got.get(2).message().payloadAsString()).isEqualTo("raw");
      for (Delivery d : got) {
        assertThat(d.message().id()).hasSize(16);
        assertThat(d.message().attempt()).isEqualTo(1);
        assertThat(d.message().origin().destination()).isEqualTo(topic);
        assertThat(d.message().timestamp())
            .isBetween(published.minusSeconds(30), published.plusSeconds(30));
        d.acknowledger().ack();
      }
      assertThat(source.destinationName()).isEqualTo(topic);
      assertThat(source.consumerGroup()).contains("intact");
      assertThat(source.touchInterval()).isEqualTo(Duration.ofMillis(29_800));
      awaitChannel(topic, "intact", 0, 0);
      assertThat(source.isConnected()).isTrue();
    }
  }

  /**
   * nsqd holds what it sends a consumer until its output buffer timeout (250 ms by default), so at
   * low rates a message waits for it: asking for 25 ms (nsqd's least by default) makes single
   * messages arrive within that. (Published one by one, each waited 250 ms with nsqd's default.)
   * Asking for less than nsqd allows fails the start with a line naming the key.
   */
  @Test
  void asksNsqdForTheConfiguredOutputBufferTimeout() throws Exception {
    String topic = bed.topic("obt");
    TaskConfig task = NsqTestBed.task("obt", topic, Map.of("nsq.outputBufferTimeout", "25ms"));
    NsqTestBed.publishHttp(topic, "warm-up");
    TaskConfig tooShort = NsqTestBed.task("obt", topic, Map.of("nsq.outputBufferTimeout", "5ms"));
    try (NsqSource source = (NsqSource) transport.openSource(tooShort)) {
      assertThatThrownBy(() -> source.start(new RecordingSink()))
          .hasMessageContaining("nsq.outputBufferTimeout is 5ms")
          .hasMessageContaining("--min-output-buffer-timeout");
    }
    try (NsqSource source = (NsqSource) transport.openSource(task)) {
      RecordingSink sink = new RecordingSink();
      source.start(sink);
      sink.next(WAIT).acknowledger().ack();
      List<Long> millis = new ArrayList<>();
      for (int i = 0; i < 15; i++) {
        long published = System.nanoTime();
        NsqTestBed.publishHttp(topic, "m" + i);
        sink.next(WAIT).acknowledger().ack();
        millis.add((System.nanoTime() - published) / 1_000_000);
      }
      source.stopReceiving();
      Collections.sort(millis);
      assertThat(millis.get(millis.size() / 2))
          .as("median ms from publish to delivery; all: %s", millis)
          .isLessThan(100);
    }
  }

  @Test
  void finishedMessagesAreNotRedeliveredToTheNextConsumer() throws Exception {
    String topic = bed.topic("fin");
    TaskConfig task = NsqTestBed.task("fin", topic, Map.of());
    publish(task, 5);
    try (NsqSource source = (NsqSource) transport.openSource(task)) {
      RecordingSink sink = new RecordingSink();
      source.start(sink);
      sink.next(5, WAIT).forEach(d -> d.acknowledger().ack());
      source.stopReceiving();
    }
    assertThat(NsqTestBed.stats(topic, "fin")).extracting(ChannelStats::backlog).isEqualTo(0L);
    try (NsqSource source = (NsqSource) transport.openSource(task)) {
      RecordingSink sink = new RecordingSink();
      source.start(sink);
      sink.assertQuietFor(Duration.ofSeconds(1));
    }
  }

  @Test
  void retryRequeuesWithTheDelayAndTheNextDeliveryCountsOneMoreAttempt() throws Exception {
    String topic = bed.topic("req");
    TaskConfig task = NsqTestBed.task("req", topic, Map.of());
    publish(task, 1);
    try (NsqSource source = (NsqSource) transport.openSource(task)) {
      RecordingSink sink = new RecordingSink();
      source.start(sink);
      Delivery first = sink.next(WAIT);
      long requeued = System.nanoTime();
      first.acknowledger().retry(Duration.ofSeconds(1), first.message().attempt() + 1);
      await().atMost(WAIT).until(() -> NsqTestBed.stats(topic, "req").deferred() == 1);

      Delivery second = sink.next(WAIT);
      assertThat(Duration.ofNanos(System.nanoTime() - requeued))
          .isGreaterThanOrEqualTo(Duration.ofMillis(950));
      assertThat(second.message().id()).isEqualTo(first.message().id());
      assertThat(second.message().payloadAsString()).isEqualTo(first.message().payloadAsString());
      assertThat(second.message().attempt()).isEqualTo(2);
      second.acknowledger().ack();
      awaitChannel(topic, "req", 0, 0);
      assertThat(NsqTestBed.stats(topic, "req").requeued()).isEqualTo(1);
    }
  }

  @Test
  void rejectPublishesTheOriginalWithItsReasonToTheDeadLetterTopicThenFinishes() throws Exception {
    String topic = bed.topic("rej");
    TaskConfig task = NsqTestBed.task("rej", topic, Map.of());
    try (Publisher publisher = transport.openPublisher(task)) {
      publisher.publish(
          Message.builder()
              .id("x")
              .key("k9")
              .headers(Map.of("trace", "t-1"))
              .payload("poison")
              .build());
    }
    try (NsqSource source = (NsqSource) transport.openSource(task)) {
      source.start(
          delivery -> delivery.acknowledger().reject("cannot parse", delivery.message().attempt()));
      awaitChannel(topic, "rej", 0, 0);
    }
    TaskConfig dead =
        NsqTestBed.task(
            "rej_dead", topic + "_dlq", Map.of("nsq.nsqd", List.of(NsqTestBed.NSQD_TCP)));
    try (NsqSource source = (NsqSource) transport.openSource(dead)) {
      RecordingSink sink = new RecordingSink();
      source.start(sink);
      Message letter = sink.next(WAIT).message();
      assertThat(letter.payloadAsString()).isEqualTo("poison");
      assertThat(letter.key()).isEqualTo("k9");
      assertThat(letter.headers())
          .containsEntry("trace", "t-1")
          .containsEntry(LanesHeaders.REASON, "cannot parse")
          .containsEntry(LanesHeaders.ATTEMPT, "1")
          .containsEntry(LanesHeaders.ORIGINAL_DESTINATION, topic)
          .containsEntry(DeadLetters.ORIGINAL_CHANNEL, "rej")
          .containsKey(LanesHeaders.ORIGINAL_ID);
      assertThat(letter.headers().get(LanesHeaders.ORIGINAL_ID)).hasSize(16);
    }
  }

  @Test
  void maxInFlightBoundsDeliveriesAndPauseHoldsThemAtRdyZero() throws Exception {
    String topic = bed.topic("rdy");
    TaskConfig task = NsqTestBed.task("rdy", topic, Map.of("nsq.maxInFlight", 5));
    publish(task, 20);
    try (NsqSource source = (NsqSource) transport.openSource(task)) {
      RecordingSink sink = new RecordingSink();
      source.start(sink);
      List<Delivery> held = sink.next(5, WAIT);
      sink.assertQuietFor(Duration.ofMillis(500));
      assertThat(NsqTestBed.stats(topic, "rdy").inFlight()).isEqualTo(5);
      assertThat(NsqTestBed.readyCounts(topic, "rdy")).containsExactly(5L);

      source.pause(); // applied on the source's RDY thread: wait until nsqd has it
      await().atMost(WAIT).until(() -> NsqTestBed.readyCounts(topic, "rdy").equals(List.of(0L)));
      held.forEach(d -> d.acknowledger().ack());
      awaitChannel(topic, "rdy", 15, 0);
      sink.assertQuietFor(Duration.ofSeconds(1));

      source.resume();
      List<String> rest = new ArrayList<>();
      for (int i = 0; i < 15; i++) {
        Delivery d = sink.next(WAIT);
        rest.add(d.message().payloadAsString());
        d.acknowledger().ack();
      }
      assertThat(rest).isEqualTo(IntStream.range(5, 20).mapToObj(i -> "m" + i).toList());
      awaitChannel(topic, "rdy", 0, 0);
    }
  }

  @Test
  void touchingKeepsAMessagePastItsTimeout() throws Exception {
    String topic = bed.topic("touch");
    TaskConfig task = NsqTestBed.task("touch", topic, Map.of("nsq.msgTimeout", "1s"));
    publish(task, 1);
    try (NsqSource source = (NsqSource) transport.openSource(task)) {
      RecordingSink sink = new RecordingSink();
      source.start(sink);
      Delivery d = sink.next(WAIT);
      assertThat(source.touchInterval()).isEqualTo(Duration.ofMillis(300));
      for (int i = 0; i < 10; i++) {
        sink.assertQuietFor(source.touchInterval());
        d.acknowledger().touch();
      }
      assertThat(d.acknowledger().isStale()).isFalse();
      d.acknowledger().ack();
      awaitChannel(topic, "touch", 0, 0);
      assertThat(NsqTestBed.stats(topic, "touch").timedOut()).isZero();
    }
  }

  @Test
  void anUntouchedMessageComesBackAfterItsTimeoutAndItsFirstDeliveryGoesStale() throws Exception {
    String topic = bed.topic("timeout");
    TaskConfig task = NsqTestBed.task("timeout", topic, Map.of("nsq.msgTimeout", "1s"));
    publish(task, 1);
    try (NsqSource source = (NsqSource) transport.openSource(task)) {
      RecordingSink sink = new RecordingSink();
      source.start(sink);
      Delivery first = sink.next(WAIT);
      long received = System.nanoTime();
      Delivery second = sink.next(WAIT);
      // nsqd's clock starts when it writes the message; it may sit in its 250 ms output buffer
      assertThat(Duration.ofNanos(System.nanoTime() - received))
          .isGreaterThanOrEqualTo(Duration.ofMillis(700));
      assertThat(second.message().id()).isEqualTo(first.message().id());
      assertThat(second.message().attempt()).isEqualTo(2);
      assertThat(first.acknowledger().isStale()).isTrue();
      assertThat(second.acknowledger().isStale()).isFalse();

      first.acknowledger().ack(); // a no-op: it must not finish the second delivery
      sink.assertQuietFor(Duration.ofMillis(300));
      assertThat(NsqTestBed.stats(topic, "timeout").inFlight()).isEqualTo(1);
      second.acknowledger().ack();
      awaitChannel(topic, "timeout", 0, 0);
      assertThat(NsqTestBed.stats(topic, "timeout").timedOut()).isEqualTo(1);
    }
  }

  @Test
  void stopReceivingLetsHandedOutWorkSettleAndCloseRequeuesTheRestAtOnce() throws Exception {
    String topic = bed.topic("stop");
    TaskConfig task = NsqTestBed.task("stop", topic, Map.of("nsq.maxInFlight", 10));
    publish(task, 30);
    List<Delivery> held;
    try (NsqSource source = (NsqSource) transport.openSource(task)) {
      RecordingSink sink = new RecordingSink();
      source.start(sink);
      held = sink.next(10, WAIT);
      source.stopReceiving();
      assertThat(source.isConnected()).isFalse();
      held.subList(0, 4).forEach(d -> d.acknowledger().ack());
      awaitChannel(topic, "stop", 20, 6);
      sink.assertQuietFor(Duration.ofMillis(500));
    }
    assertThat(held.get(9).acknowledger().isStale()).as("requeued by close").isTrue();
    held.get(9).acknowledger().ack(); // after close: a no-op

    try (NsqSource source = (NsqSource) transport.openSource(task)) {
      RecordingSink sink = new RecordingSink();
      source.start(sink);
      List<String> requeued = new ArrayList<>();
      List<String> fresh = new ArrayList<>();
      for (int i = 0; i < 26; i++) {
        Delivery d = sink.next(WAIT); // well within the 60 s message timeout
        (d.message().attempt() == 2 ? requeued : fresh).add(d.message().payloadAsString());
        d.acknowledger().ack();
      }
      assertThat(requeued).containsExactlyInAnyOrder("m4", "m5", "m6", "m7", "m8", "m9");
      assertThat(fresh)
          .containsExactlyInAnyOrderElementsOf(
              IntStream.range(10, 30).mapToObj(i -> "m" + i).toList());
      awaitChannel(topic, "stop", 0, 0);
    }
  }

  @Test
  void stopReceivingHandsOutWhatNsqdHadSentSoNothingIsRequeuedBehindLaterMessages()
      throws Exception {
    String topic = bed.topic("transit");
    TaskConfig task = NsqTestBed.task("transit", topic, Map.of("nsq.maxInFlight", 256));
    publish(task, 3000);
    AtomicInteger handedOut = new AtomicInteger();
    try (NsqSource source = (NsqSource) transport.openSource(task)) {
      // acked at once, so nsqd keeps sending: a stop finds messages on their way
      source.start(
          d -> {
            handedOut.incrementAndGet();
            d.acknowledger().ack();
          });
      await().atMost(WAIT).until(() -> handedOut.get() >= 1000);
      source.stopReceiving();
      int beforeClose = handedOut.get();
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(NsqTestBed.stats(topic, "transit").inFlight())
                      .as("in flight at nsqd: sent, never handed out, requeued after msgTimeout")
                      .isZero());
      ChannelStats stats = NsqTestBed.stats(topic, "transit");
      assertThat(stats.requeued()).as("requeued (handed out: %d)", beforeClose).isZero();
      assertThat(stats.depth()).as("left on nsqd").isEqualTo(3000 - beforeClose);
      assertThat(handedOut.get())
          .as("handed out after stopReceiving returned")
          .isEqualTo(beforeClose);
    }
  }

  @Test
  void everyThreadTheSourceStartsIsNamedForItsTaskOrIsNsqjsOwnAndCloseEndsOurs() throws Exception {
    String topic = bed.topic("names");
    TaskConfig task = NsqTestBed.task("names", topic, Map.of());
    publish(task, 3);
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    try (NsqSource source = (NsqSource) transport.openSource(task)) {
      RecordingSink sink = new RecordingSink();
      source.start(sink);
      sink.next(3, WAIT).forEach(d -> d.acknowledger().ack());
      source.pause();
      source.resume();
      List<Thread> started =
          Thread.getAllStackTraces().keySet().stream()
              .filter(t -> !before.contains(t) && t.isAlive())
              .toList();
      List<Thread> ours =
          started.stream().filter(t -> t.getName().startsWith("lanes-names-nsq-")).toList();
      assertThat(ours)
          .extracting(Thread::getName)
          .containsExactlyInAnyOrder("lanes-names-nsq-receive", "lanes-names-nsq-rdy");
      assertThat(ours).as("daemon threads").allMatch(Thread::isDaemon);
      assertThat(started)
          .as("threads nsq-j names itself (not configurable in nsq-j 1.2)")
          .filteredOn(t -> !ours.contains(t))
          .extracting(Thread::getName)
          .allMatch(n -> n.matches("nsq-(read|sched)-\\d+"));
    }
    await().atMost(WAIT).until(() -> threadsNamed("lanes-names-nsq-").isEmpty());
  }

  private static List<String> threadsNamed(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith(prefix))
        .toList();
  }

  @Test
  void subscribesToNsqdDirectlyAndReadsTheBacklogFromItsHttpApi() throws Exception {
    String topic = bed.topic("direct");
    TaskConfig task =
        NsqTestBed.task(
            "direct",
            topic,
            Map.of(
                "nsq.nsqd",
                List.of(NsqTestBed.NSQD_TCP),
                "nsq.nsqdHttp",
                List.of(NsqTestBed.NSQD_HTTP),
                "nsq.maxInFlight",
                2));
    assertBacklogOfTwoInFlightAndThreeWaiting(task, topic);
  }

  @Test
  void readsTheBacklogFromTheNodesNsqlookupdNames() throws Exception {
    String topic = bed.topic("backlog");
    assertBacklogOfTwoInFlightAndThreeWaiting(
        NsqTestBed.task("backlog", topic, Map.of("nsq.maxInFlight", 2)), topic);
  }

  private void assertBacklogOfTwoInFlightAndThreeWaiting(TaskConfig task, String topic)
      throws Exception {
    publish(task, 5);
    try (NsqSource source = (NsqSource) transport.openSource(task)) {
      RecordingSink sink = new RecordingSink();
      source.start(sink);
      List<Delivery> held = sink.next(2, WAIT);
      assertThat(source.channelStats())
          .hasValueSatisfying(
              s -> {
                assertThat(s.depth()).isEqualTo(3);
                assertThat(s.inFlight()).isEqualTo(2);
              });
      assertThat(source.backlog()).hasValue(5);
      held.forEach(d -> d.acknowledger().ack());
      for (int i = 0; i < 3; i++) {
        sink.next(WAIT).acknowledger().ack();
      }
      await().atMost(WAIT).until(() -> source.backlog().orElse(-1) == 0);
    }
  }

  private void publish(TaskConfig task, int count) throws Exception {
    try (Publisher publisher = transport.openPublisher(task)) {
      publisher.publishAll(IntStream.range(0, count).mapToObj(i -> message("m" + i)).toList());
    }
  }

  private static void awaitChannel(String topic, String channel, long depth, long inFlight) {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              ChannelStats stats = NsqTestBed.stats(topic, channel);
              assertThat(stats.depth()).as("depth").isEqualTo(depth);
              assertThat(stats.inFlight()).as("in flight").isEqualTo(inFlight);
            });
  }
}
