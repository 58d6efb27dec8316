package dev.lanes.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lanes.api.Message;
import dev.lanes.api.Outcome;
import dev.lanes.conformance.RecordingHandler;
import dev.lanes.runtime.TaskRuntime;
import dev.lanes.spi.Delivery;
import dev.lanes.spi.TaskConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Connection faults driven on the real broker: forced close, broker restart, publisher outage. */
@Tag("broker")
class AmqpConnectionRecoveryTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  private RabbitBroker broker;
  private TaskRuntime runtime;

  @BeforeEach
  void connect() {
    broker = RabbitBroker.connect();
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (runtime != null) {
      runtime.stop();
    }
    broker.close();
  }

  private static Set<String> payloads(List<Message> messages) {
    return messages.stream().map(Message::payloadAsString).collect(Collectors.toSet());
  }

  /**
   * Runs a task over 300 messages and breaks the broker side mid-stream: from message 60 on,
   * handlers wait until the fault happened, so a full window of deliveries is in the lanes when the
   * channel goes. Checks that nothing is lost and that the redeliveries are counted.
   */
  private void consumeThrough(String scenario, FaultAction fault) throws Exception {
    String name = RabbitBroker.unique(scenario);
    TaskConfig task = broker.task(name, Map.of("prefetch", 20), Map.of("consumerNum", 4));
    List<Message> sent = RabbitBroker.messages("m", 300, 300);
    RabbitBroker.publish(task, sent);
    CountDownLatch faulted = new CountDownLatch(1);
    RecordingHandler handler =
        new RecordingHandler(
            m -> {
              if (Integer.parseInt(m.headers().get("seq")) >= 60) {
                faulted.await();
              }
              TimeUnit.MILLISECONDS.sleep(1);
              return Outcome.ack();
            });
    CapturingTransport transport = new CapturingTransport();
    runtime = TaskRuntime.create(task, transport, handler, new SimpleMeterRegistry());
    runtime.start();
    await()
        .atMost(WAIT)
        .until(() -> handler.acked().size() == 60 && transport.source().unfinished() == 20);

    fault.run();
    await().atMost(WAIT).until(() -> transport.source().stats().channelLosses.sum() > 0);
    faulted.countDown();

    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> handler.ackedPayloads().containsAll(payloads(sent)));
    await().atMost(WAIT).until(() -> runtime.isReady());
    assertThat(runtime.stop().clean()).isTrue();
    AmqpStats stats = transport.source().stats();
    assertThat(stats.resubscribes.sum()).as("%s", stats).isPositive();
    assertThat(stats.returnedOnChannelLoss.sum()).as("%s", stats).isEqualTo(20);
    long skipped = runtime.stats().stale();
    assertThat(stats.staleSettles.sum() + skipped)
        .as("stale deliveries settled (%s) or skipped by the dispatcher (%d)", stats, skipped)
        .isEqualTo(20);
    int handledTwice = handler.acked().size() - sent.size();
    assertThat((long) handledTwice)
        .as("handled again after redelivery (%s)", stats)
        .isEqualTo(stats.staleSettles.sum());
    await().atMost(WAIT).ignoreExceptions().until(() -> broker.ready(name) == 0);
  }

  @Test
  void consumptionResumesAfterTheBrokerClosesEveryConnection() throws Exception {
    consumeThrough("closeall", () -> RabbitBroker.rabbitmqctl("close_all_connections", "test"));
  }

  @Test
  void consumptionResumesAfterTheBrokerRestarts() throws Exception {
    consumeThrough(
        "restart",
        () -> {
          RabbitBroker.rabbitmqctl("stop_app");
          RabbitBroker.rabbitmqctl("start_app");
        });
  }

  @Test
  void retriesWaitInABoundedBufferWhileThePublishConnectionIsDown() throws Exception {
    String name = RabbitBroker.unique("buffer");
    TaskConfig task =
        broker.task(
            name,
            Map.of("publishBuffer", 2, "recoveryInterval", "3s", "retryDelays", List.of("100ms")));
    RabbitBroker.publish(task, RabbitBroker.messages("m", 5, 5));
    Collector sink = new Collector();

    try (AmqpSource source = (AmqpSource) new AmqpTransport().openSource(task)) {
      source.start(sink);
      List<Delivery> first = sink.take(5, WAIT);
      assertThat(RabbitBroker.closeConnectionsNamed("lanes-" + name + "-amqp-publish"))
          .isEqualTo(1);
      await().atMost(WAIT).until(() -> !source.publisher().isConnected());

      List<Delivery> refused = new ArrayList<>();
      for (Delivery d : first) {
        try {
          d.acknowledger().retry(Duration.ofMillis(100), d.message().attempt() + 1);
        } catch (IllegalStateException full) {
          assertThat(full).hasMessageContaining("amqp.publishBuffer");
          refused.add(d);
        }
      }
      assertThat(refused).hasSize(3);
      assertThat(source.publisher().pending()).isEqualTo(2);
      assertThat(source.unacked()).as("nothing acked while the copies wait").isEqualTo(5);

      // the connection comes back: the 2 buffered copies go out, their originals are acked,
      // and the 3 refused deliveries are handed back to the queue and arrive again
      List<Delivery> again = sink.take(5, WAIT);
      List<Delivery> retriedAgain = again.stream().filter(d -> d.message().attempt() == 1).toList();
      assertThat(retriedAgain).hasSize(3);
      assertThat(again.stream().filter(d -> d.message().attempt() == 2)).hasSize(2);
      for (Delivery d : retriedAgain) {
        d.acknowledger().retry(Duration.ofMillis(100), d.message().attempt() + 1);
        await().atMost(WAIT).until(() -> source.publisher().pending() == 0);
      }
      List<Delivery> last = sink.take(3, WAIT);
      assertThat(last).allSatisfy(d -> assertThat(d.message().attempt()).isEqualTo(2));

      List<Delivery> attemptTwo = new ArrayList<>(last);
      again.stream().filter(d -> d.message().attempt() == 2).forEach(attemptTwo::add);
      assertThat(attemptTwo.stream().map(d -> d.message().id()))
          .containsExactlyInAnyOrder("m-0", "m-1", "m-2", "m-3", "m-4");
      attemptTwo.forEach(d -> d.acknowledger().ack());
      source.flush();
      AmqpStats stats = source.stats();
      assertThat(stats.overflows.sum()).isEqualTo(3);
      assertThat(stats.held.sum()).isEqualTo(3);
      assertThat(stats.requeued.sum()).isEqualTo(3);
      assertThat(stats.retriesPublished.sum()).isEqualTo(5);
      assertThat(stats.channelLosses.sum()).as("the consume side never noticed").isZero();
    }
    assertThat(broker.ready(name)).isZero();
    assertThat(broker.ready(name + ".retry.100ms")).isZero();
  }

  /** The ways a consume channel is lost without the source asking. */
  enum ChannelLoss {
    /** The broker closes the channel's connection; the client reconnects and recovers it. */
    CONNECTION_CLOSED,
    /**
     * An ack with an unknown delivery tag: RabbitMQ closes the channel (PRECONDITION_FAILED), not
     * the connection, and the client library does not reopen it.
     */
    CHANNEL_ERROR
  }

  @ParameterizedTest
  @EnumSource(ChannelLoss.class)
  void aDeliveryOfALostChannelIsStaleAndNeverSettledAndConsumptionResumes(ChannelLoss loss)
      throws Exception {
    String name = RabbitBroker.unique("stale");
    TaskConfig task = broker.task(name, Map.of());
    RabbitBroker.publish(task, RabbitBroker.messages("m", 3, 3));
    Collector sink = new Collector();

    try (AmqpSource source = (AmqpSource) new AmqpTransport().openSource(task)) {
      source.start(sink);
      List<Delivery> old = sink.take(3, WAIT);
      old.get(0).acknowledger().ack();
      source.flush();
      switch (loss) {
        case CONNECTION_CLOSED ->
            assertThat(RabbitBroker.closeConnectionsNamed("lanes-" + name + "-amqp-consume"))
                .isEqualTo(1);
        case CHANNEL_ERROR -> source.consumeChannel().basicAck(1_000_000, false);
      }

      List<Delivery> redelivered = sink.take(2, WAIT);
      assertThat(old.get(1).acknowledger().isStale()).isTrue();
      old.get(1).acknowledger().ack();
      old.get(2).acknowledger().retry(Duration.ofSeconds(1), old.get(2).message().attempt() + 1);
      redelivered.forEach(d -> d.acknowledger().ack());
      source.flush();

      assertThat(redelivered.stream().map(d -> d.message().id()))
          .containsExactlyInAnyOrder("m-1", "m-2");
      AmqpStats stats = source.stats();
      assertThat(stats.staleSettles.sum()).isEqualTo(2);
      assertThat(stats.returnedOnChannelLoss.sum()).isEqualTo(2);
      assertThat(stats.retriesPublished.sum()).as("no copy for a stale delivery").isZero();
      assertThat(stats.channelLosses.sum()).isEqualTo(1);
      assertThat(stats.resubscribes.sum()).as("consuming again in a new epoch").isEqualTo(1);
      assertThat(source.isConnected()).isTrue();
    }
    assertThat(broker.ready(name)).isZero();
  }

  @Test
  void aConsumerCancelledByTheBrokerConsumesAgainAfterTheQueueIsDeclaredAgain() throws Exception {
    String name = RabbitBroker.unique("cancelled");
    TaskConfig task = broker.task(name, Map.of());
    RabbitBroker.publish(task, RabbitBroker.messages("m", 2, 2));
    Collector sink = new Collector();

    try (AmqpSource source = (AmqpSource) new AmqpTransport().openSource(task)) {
      source.start(sink);
      sink.take(2, WAIT).forEach(d -> d.acknowledger().ack());
      source.flush();
      broker.deleteQueue(name); // the broker cancels the consumer (consumer_cancel_notify)

      await().atMost(WAIT).until(() -> RabbitBroker.hasConsumer(name));
      broker.publishRaw(name, "again-0", "again-1");
      List<Delivery> again = sink.take(2, WAIT);
      assertThat(again.stream().map(d -> d.message().id())).containsExactly("again-0", "again-1");
      again.forEach(d -> d.acknowledger().ack());
      source.flush();
      assertThat(source.stats().channelLosses.sum()).as("only the consumer went").isZero();
    }
    assertThat(broker.ready(name)).isZero();
  }

  @FunctionalInterface
  private interface FaultAction {
    void run() throws Exception;
  }
}
