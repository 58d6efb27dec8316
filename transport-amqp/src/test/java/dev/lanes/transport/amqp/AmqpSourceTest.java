package dev.lanes.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import dev.lanes.api.Message;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.spi.Delivery;
import dev.lanes.spi.LanesHeaders;
import dev.lanes.spi.Source;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.TransportContext;
import dev.lanes.testing.Tasks;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The AMQP source driven directly (no dispatcher) against the real broker. */
@Tag("broker")
class AmqpSourceTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private RabbitBroker broker;

  @BeforeEach
  void connect() {
    broker = RabbitBroker.connect();
  }

  @AfterEach
  void cleanUp() throws Exception {
    broker.close();
  }

  private static AmqpSource open(TaskConfig task) {
    return (AmqpSource) new AmqpTransport().openSource(task);
  }

  private static AmqpSource open(TaskConfig task, MeterRegistry registry) {
    return (AmqpSource)
        new AmqpTransport()
            .openSource(TransportContext.of(task, registry, Tags.of("lanes.task", task.name())));
  }

  private static double amqpCounter(MeterRegistry registry, String name, String tag, String value) {
    return registry.get("lanes.amqp." + name).tag(tag, value).functionCounter().count();
  }

  private static Set<String> ids(List<Delivery> deliveries) {
    return deliveries.stream().map(d -> d.message().id()).collect(Collectors.toSet());
  }

  @Test
  void deliversPublishedMessagesIntactInQueueOrder() throws Exception {
    String name = RabbitBroker.unique("intact");
    TaskConfig task = broker.task(name, Map.of("exchange", name + ".x", "key", "k.business"));
    List<Message> sent = RabbitBroker.messages("m", 20, 4);
    RabbitBroker.publish(task, sent);
    Collector sink = new Collector();

    try (AmqpSource source = open(task)) {
      source.start(sink);
      List<Delivery> got = sink.take(20, WAIT);

      for (int i = 0; i < 20; i++) {
        Message in = got.get(i).message();
        Message out = sent.get(i);
        assertThat(in.id()).isEqualTo(out.id());
        assertThat(in.key()).isEqualTo(out.key());
        assertThat(in.payloadAsString()).isEqualTo(out.payloadAsString());
        assertThat(in.headers()).containsEntry("seq", Integer.toString(i));
        assertThat(in.attempt()).isEqualTo(1);
        assertThat(in.origin().destination()).isEqualTo(name);
      }
      assertThat(source.destinationName()).isEqualTo(name);
      assertThat(source.isConnected()).isTrue();
      got.forEach(d -> d.acknowledger().ack());
      source.flush();
      assertThat(source.stats().multipleAcks.sum()).isPositive();
    }
    assertThat(broker.ready(name)).isZero();
  }

  @Test
  void everyThreadOfTheSourceIsNamedLanesTaskAmqpRoleAndStopsWithIt() throws Exception {
    String name = RabbitBroker.unique("threads");
    TaskConfig task = broker.task(name, Map.of());
    RabbitBroker.publish(task, RabbitBroker.messages("m", 1, 1));
    String prefix = "lanes-" + name + "-";
    BlockingQueue<String> deliveredOn = new LinkedBlockingQueue<>();

    try (AmqpSource source = open(task)) {
      source.start(
          d -> {
            deliveredOn.add(Thread.currentThread().getName());
            d.acknowledger().ack();
          });
      assertThat(deliveredOn.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS))
          .isEqualTo(prefix + "amqp-consume");
      // the client renames the threads it gets from a factory; the names must survive that
      assertThat(threadsNamed(prefix))
          .contains(prefix + "amqp-io", prefix + "amqp-io-2", prefix + "amqp-control")
          .contains(prefix + "amqp-publish", prefix + "amqp-backlog")
          .allMatch(n -> n.matches(prefix + "amqp-(io|consume|control|publish|backlog)(-[0-9]+)?"));
    }
    await().atMost(WAIT).until(() -> threadsNamed(prefix).isEmpty());
  }

  private static Set<String> threadsNamed(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(n -> n.startsWith(prefix))
        .collect(Collectors.toSet());
  }

  @Test
  void ackedDeliveriesAreNotRedeliveredAndUnackedOnesAreAfterClose() throws Exception {
    String name = RabbitBroker.unique("redeliver");
    TaskConfig task = broker.task(name, Map.of());
    RabbitBroker.publish(task, RabbitBroker.messages("m", 10, 10));
    Collector first = new Collector();
    List<Delivery> got;
    try (AmqpSource source = open(task)) {
      source.start(first);
      got = first.take(10, WAIT);
      // out of order, with gaps: 0, 2, 4, 5, 7, 9 finished; 1, 3, 6, 8 never
      for (int i : new int[] {5, 0, 9, 2, 7, 4}) {
        got.get(i).acknowledger().ack();
      }
      source.stopReceiving();
      source.flush();
      assertThat(source.stats().singleAcks.sum()).as("2, 4, 5, 7, 9: above a gap").isEqualTo(5);
    }
    assertThat(got.get(1).acknowledger().isStale()).isTrue();

    Collector second = new Collector();
    try (AmqpSource source = open(task)) {
      source.start(second);
      List<Delivery> again = second.take(4, WAIT);
      assertThat(ids(again)).containsExactlyInAnyOrder("m-1", "m-3", "m-6", "m-8");
      assertThat(second.poll(Duration.ofMillis(300))).isNull();
      again.forEach(d -> d.acknowledger().ack());
      source.flush();
    }
    assertThat(broker.ready(name)).isZero();
  }

  @Test
  void prefetchBoundsWhatIsInFlight() throws Exception {
    String name = RabbitBroker.unique("prefetch");
    TaskConfig task = broker.task(name, Map.of("prefetch", 5));
    RabbitBroker.publish(task, RabbitBroker.messages("m", 30, 30));
    Collector sink = new Collector();

    try (AmqpSource source = open(task)) {
      source.start(sink);
      List<Delivery> window = sink.take(5, WAIT);
      assertThat(sink.poll(Duration.ofMillis(300))).isNull();

      window.get(0).acknowledger().ack();
      assertThat(sink.take(1, WAIT)).hasSize(1);
      assertThat(sink.poll(Duration.ofMillis(200))).isNull();
      assertThat(sink.received()).isEqualTo(6);
    }
  }

  @Test
  void pauseStopsDeliveriesAndResumeBringsTheRest() throws Exception {
    String name = RabbitBroker.unique("pause");
    TaskConfig task = broker.task(name, Map.of("prefetch", 5));
    RabbitBroker.publish(task, RabbitBroker.messages("m", 20, 20));
    Collector sink = new Collector();

    try (AmqpSource source = open(task)) {
      source.start(sink);
      List<Delivery> window = sink.take(5, WAIT);
      source.pause();
      await().atMost(WAIT).until(() -> broker.ready(name) == 15 && !RabbitBroker.hasConsumer(name));
      window.forEach(d -> d.acknowledger().ack());
      assertThat(sink.poll(Duration.ofMillis(300))).isNull();

      source.resume();
      for (int i = 0; i < 15; i++) {
        sink.take(1, WAIT).get(0).acknowledger().ack();
      }
      source.flush();
      assertThat(broker.ready(name)).isZero();
    }
  }

  @Test
  void gracefulStopWithAFullPrefetchWindowAcksOnlyWhatWasHandled() throws Exception {
    String name = RabbitBroker.unique("stopfull");
    TaskConfig task = broker.task(name, Map.of("prefetch", 10, "ackBatch", 1000));
    RabbitBroker.publish(task, RabbitBroker.messages("m", 30, 30));
    Collector sink = new Collector();
    Set<String> handled;

    try (AmqpSource source = open(task)) {
      source.start(sink);
      List<Delivery> window = sink.take(10, WAIT);
      List<Delivery> done = List.of(window.get(7), window.get(2), window.get(3), window.get(9));
      done.forEach(d -> d.acknowledger().ack());
      handled = ids(done);
      source.stopReceiving();
      source.flush();
      assertThat(source.unfinished()).isEqualTo(6);
    }

    await().atMost(WAIT).until(() -> broker.ready(name) == 26);
    List<GetResponse> back = broker.drain(name);
    Set<String> backIds =
        back.stream().map(r -> r.getProps().getMessageId()).collect(Collectors.toSet());
    assertThat(back).hasSize(26);
    assertThat(backIds).doesNotContainAnyElementsOf(handled);
    assertThat(back.stream().filter(r -> r.getEnvelope().isRedeliver())).hasSize(6);
  }

  @Test
  void retryWaitsInItsDelayTierAndReturnsWithTheNextAttemptAndTheSameContent() throws Exception {
    String name = RabbitBroker.unique("retry");
    TaskConfig task = broker.task(name, Map.of("retryDelays", List.of("300ms", "1s")));
    RabbitBroker.publish(task, RabbitBroker.messages("m", 1, 1));
    Collector sink = new Collector();

    try (AmqpSource source = open(task)) {
      source.start(sink);
      Delivery first = sink.take(1, WAIT).get(0);
      long retriedAt = System.nanoTime();
      first.acknowledger().retry(Duration.ofMillis(500), first.message().attempt() + 1);

      Delivery second = sink.take(1, WAIT).get(0);
      long waitedMs = (System.nanoTime() - retriedAt) / 1_000_000;
      assertThat(waitedMs).isGreaterThanOrEqualTo(1000); // the 1s tier, not before
      Message again = second.message();
      assertThat(again.id()).isEqualTo("m-0");
      assertThat(again.key()).isEqualTo("k0");
      assertThat(again.attempt()).isEqualTo(2);
      assertThat(again.payloadAsString()).isEqualTo(first.message().payloadAsString());
      assertThat(again.headers())
          .containsEntry("seq", "0")
          .containsEntry(LanesHeaders.ATTEMPT, "2");

      second.acknowledger().retry(Duration.ofMillis(100), second.message().attempt() + 1);
      Message third = sink.take(1, WAIT).get(0).message();
      assertThat(third.attempt()).isEqualTo(3);
      assertThat(source.stats().retriesPublished.sum()).isEqualTo(2);
    }
    assertThat(broker.ready(name + ".retry.300ms")).isZero();
  }

  @Test
  void retryBeyondTheLastTierWaitsExactlyItsDelayInTheLongQueue() throws Exception {
    String name = RabbitBroker.unique("retrylong");
    TaskConfig task = broker.task(name, Map.of("retryDelays", List.of("100ms")));
    RabbitBroker.publish(task, RabbitBroker.messages("m", 1, 1));
    Collector sink = new Collector();

    try (AmqpSource source = open(task)) {
      source.start(sink);
      long retriedAt = System.nanoTime();
      Delivery first = sink.take(1, WAIT).get(0);
      first.acknowledger().retry(Duration.ofMillis(700), first.message().attempt() + 1);
      await()
          .atMost(WAIT)
          .until(() -> broker.ready(name + ".retry.long") == 1 || sink.received() == 2);
      Delivery back = sink.take(1, WAIT).get(0);
      assertThat((System.nanoTime() - retriedAt) / 1_000_000).isGreaterThanOrEqualTo(700);
      assertThat(back.message().attempt()).isEqualTo(2);
    }
  }

  @Test
  void rejectPublishesADeadLetterWithReasonHeadersAndSettlesTheOriginal() throws Exception {
    String name = RabbitBroker.unique("reject");
    TaskConfig task = broker.task(name, Map.of());
    RabbitBroker.publish(task, RabbitBroker.messages("m", 3, 3));
    Collector sink = new Collector();

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (AmqpSource source = open(task, registry)) {
      source.start(sink);
      List<Delivery> got = sink.take(3, WAIT);
      got.get(0).acknowledger().ack();
      got.get(1).acknowledger().reject("unparseable order", got.get(1).message().attempt());
      got.get(2).acknowledger().ack();
      source.flush();
      assertThat(source.stats().deadLettersPublished.sum()).isEqualTo(1);
    }
    assertThat(amqpCounter(registry, "copies.confirmed", "kind", "dead-letter")).isEqualTo(1);
    assertThat(amqpCounter(registry, "copies.confirmed", "kind", "retry")).isZero();
    double acks =
        amqpCounter(registry, "acks", "multiple", "true")
            + amqpCounter(registry, "acks", "multiple", "false");
    assertThat(acks).as("basic.ack frames for 2 acks and the dead-lettered original").isPositive();
    assertThat(registry.get("lanes.amqp.held").tag("lanes.task", name).functionCounter().count())
        .isZero();

    assertThat(broker.ready(name)).isZero();
    List<GetResponse> dead = broker.drain(name + ".dlq");
    assertThat(dead).hasSize(1);
    AMQP.BasicProperties props = dead.get(0).getProps();
    assertThat(props.getMessageId()).isEqualTo("m-1");
    assertThat(RabbitBroker.body(dead.get(0))).isEqualTo("{\"seq\":1,\"order_id\":1}");
    Map<String, String> headers = AmqpMessages.text(props.getHeaders());
    assertThat(headers)
        .containsEntry(LanesHeaders.REASON, "unparseable order")
        .containsEntry(LanesHeaders.ORIGINAL_DESTINATION, name)
        .containsEntry(LanesHeaders.ORIGINAL_ID, "m-1")
        .containsEntry(LanesHeaders.ATTEMPT, "1")
        .containsEntry(AmqpMessages.KEY, "k1")
        .containsEntry("seq", "1");
  }

  @Test
  void backlogIsTheQueueDepthReadyPlusUnacked() throws Exception {
    String name = RabbitBroker.unique("backlog");
    TaskConfig task = broker.task(name, Map.of("prefetch", 10));
    RabbitBroker.publish(task, RabbitBroker.messages("m", 30, 30));
    Collector sink = new Collector();

    try (AmqpSource source = open(task)) {
      assertThat(source.backlog()).isEmpty();
      source.start(sink);
      List<Delivery> window = sink.take(10, WAIT);
      await().atMost(WAIT).until(source::backlog, b -> b.equals(OptionalLong.of(30)));
      window.forEach(d -> d.acknowledger().ack());
      source.flush();
      await().atMost(WAIT).until(source::backlog, b -> b.equals(OptionalLong.of(20)));
    }
  }

  @Test
  void declareFalseOnlyChecksAndFailsReadyWhenTheQueueIsMissing() {
    String name = RabbitBroker.unique("passive");
    TaskConfig task = broker.task(name, Map.of("declare", false));
    Source source = new AmqpTransport().openSource(task);

    assertThatThrownBy(() -> source.start(new Collector()))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("task '" + name + "': amqp.queue: queue '" + name + "'")
        .hasMessageContaining("NOT_FOUND")
        .hasMessageContaining("declare = false")
        .hasMessageNotContaining("guest:guest");
  }

  @Test
  void declareFalseConsumesTopologyThatOpsCreated() throws Exception {
    String name = RabbitBroker.unique("ops");
    TaskConfig declaring = broker.task(name, Map.of());
    RabbitBroker.publish(declaring, RabbitBroker.messages("m", 2, 2));
    TaskConfig checking = broker.task(name, Map.of("declare", false));
    Collector sink = new Collector();

    try (AmqpSource source = open(checking)) {
      source.start(sink);
      sink.take(2, WAIT).forEach(d -> d.acknowledger().ack());
      source.flush();
    }
    assertThat(broker.ready(name)).isZero();
  }

  @Test
  void aConflictingExistingQueueFailsReadyNamingTheQueue() throws Exception {
    String name = RabbitBroker.unique("conflict");
    TaskConfig task = broker.task(name, Map.of("durable", true));
    try (Channel ch = adminChannel()) {
      ch.queueDeclare(name, false, false, false, null);
    }

    assertThatThrownBy(() -> new AmqpTransport().openSource(task).start(new Collector()))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("amqp.queue: queue '" + name + "'")
        .hasMessageContaining("PRECONDITION_FAILED")
        .hasMessageContaining("exists with other properties than durable = true")
        .hasMessageContaining("delete it, or change amqp.queue, amqp.durable or amqp.queueType");
  }

  @Test
  void anExchangeTypeTheBrokerDoesNotKnowFailsReadyAskingForItsPlugin() {
    String name = RabbitBroker.unique("plugin");
    TaskConfig task =
        broker.task(name, Map.of("exchange", name + ".x", "exchangeType", "x-lanes-missing"));

    assertThatThrownBy(() -> new AmqpTransport().openSource(task).start(new Collector()))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("amqp.exchange: exchange '" + name + ".x'")
        .hasMessageContaining("x-lanes-missing")
        .hasMessageContaining("enable the broker plugin that provides it");
  }

  private Channel adminChannel() throws Exception {
    com.rabbitmq.client.ConnectionFactory f = new com.rabbitmq.client.ConnectionFactory();
    f.setUri(RabbitBroker.URI);
    com.rabbitmq.client.Connection c = f.newConnection("lanes-test-declare");
    Channel ch = c.createChannel();
    ch.addShutdownListener(cause -> c.abort());
    return ch;
  }

  @Test
  void aQuorumQueueIsDeclaredAndConsumedWithThePerConsumerPrefetch() throws Exception {
    String name = RabbitBroker.unique("quorum");
    TaskConfig task = broker.task(name, Map.of("prefetch", 5, "queueType", "quorum"));
    consumeTwelveWithinAWindowOfFive(name, task);
  }

  @Test
  void aQueueThatRefusesAChannelWidePrefetchIsStillConsumed() throws Exception {
    String name = RabbitBroker.unique("quorumops");
    RabbitBroker.publish(broker.task(name, Map.of("queueType", "quorum")), List.of());
    // declare = false and the default queueType: Lanes finds out from the broker's refusal
    TaskConfig task = broker.task(name, Map.of("prefetch", 5, "declare", false));
    consumeTwelveWithinAWindowOfFive(name, task);
  }

  private void consumeTwelveWithinAWindowOfFive(String name, TaskConfig task) throws Exception {
    RabbitBroker.publish(task, RabbitBroker.messages("m", 12, 12));
    Collector sink = new Collector();

    try (AmqpSource source = open(task)) {
      source.start(sink);
      List<Delivery> window = sink.take(5, WAIT);
      assertThat(sink.poll(Duration.ofMillis(300))).as("prefetch still bounds").isNull();
      window.forEach(d -> d.acknowledger().ack());
      for (int i = 0; i < 7; i++) {
        sink.take(1, WAIT).get(0).acknowledger().ack();
      }
      source.flush();
    }
    await().atMost(WAIT).until(() -> broker.ready(name) == 0);
  }

  @Test
  void aQueueConsumedExclusivelyElsewhereFailsReady() throws Exception {
    String name = RabbitBroker.unique("exclusive");
    TaskConfig task = broker.task(name, Map.of());
    RabbitBroker.publish(task, List.of());
    try (Channel ch = adminChannel()) {
      ch.basicConsume(
          name, false, "", false, true, null, new com.rabbitmq.client.DefaultConsumer(ch));

      Source source = new AmqpTransport().openSource(task);
      assertThatThrownBy(() -> source.start(new Collector()))
          .isInstanceOf(ReadyFailedException.class)
          .hasMessageContaining("amqp.queue: cannot consume queue '" + name + "'")
          .hasMessageContaining("ACCESS_REFUSED");
    }
  }

  @Test
  void anUnreachableBrokerFailsReadyNamingFileLineAndKeyWithTheMaskedUri(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("tasks.conf");
    TaskConfig task =
        Tasks.fromFile(
            file,
            "unreachable",
            """
            unreachable {
              transport = amqp
              amqp { uri = "amqp://lanes:hunter2@127.0.0.1:1", connectionTimeout = 2s }
            }
            """);
    Source source = new AmqpTransport().openSource(task);

    assertThatThrownBy(() -> source.start(new Collector()))
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageStartingWith(
            file
                + ":3: task 'unreachable': amqp.uri: cannot connect to"
                + " amqp://lanes:***@127.0.0.1:1")
        .hasMessageNotContaining("hunter2");
    assertThat(source.isConnected()).isFalse();
  }

  @Test
  void deliveriesArrivingAfterStopReceivingReachNobodyAndStayUnacked() throws Exception {
    String name = RabbitBroker.unique("afterstop");
    TaskConfig task = broker.task(name, Map.of("prefetch", 50));
    RabbitBroker.publish(task, RabbitBroker.messages("m", 50, 50));
    Collector sink = new Collector();

    try (AmqpSource source = open(task)) {
      source.start(sink);
      sink.take(1, WAIT);
      source.stopReceiving();
      int seen = sink.received();
      await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> sink.received() == seen);
      assertThat(seen + source.stats().afterStop.sum()).isLessThanOrEqualTo(50);
      source.flush();
    }
    await().atMost(WAIT).until(() -> broker.ready(name) == 50);
  }
}
