package dev.lanes.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.GetResponse;
import dev.lanes.api.Message;
import dev.lanes.api.Outcome;
import dev.lanes.conformance.RecordingHandler;
import dev.lanes.runtime.StopReport;
import dev.lanes.runtime.TaskRuntime;
import dev.lanes.spi.TaskConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The AMQP source under the real dispatcher (TaskRuntime) and the real broker. */
@Tag("broker")
class AmqpDispatcherTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

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

  private TaskRuntime start(
      TaskConfig task, CapturingTransport transport, RecordingHandler handler) {
    runtime = TaskRuntime.create(task, transport, handler, new SimpleMeterRegistry());
    runtime.start();
    return runtime;
  }

  @Test
  void lanesFinishingOutOfOrderGetEveryDeliveryAckedOnceAndNoneEarly() throws Exception {
    String name = RabbitBroker.unique("outoforder");
    TaskConfig task =
        broker.task(
            name,
            Map.of("prefetch", 64, "ackBatch", 16),
            Map.of("consumerNum", 8, "deliverBy", "order_id"));
    List<Message> sent = RabbitBroker.messages("m", 1000, 32);
    RabbitBroker.publish(task, sent);
    RecordingHandler handler =
        new RecordingHandler(
            m -> {
              TimeUnit.MICROSECONDS.sleep(ThreadLocalRandom.current().nextInt(1500));
              return Outcome.ack();
            });
    CapturingTransport transport = new CapturingTransport();

    start(task, transport, handler);
    await().atMost(WAIT).until(() -> handler.calls().size() >= sent.size());
    StopReport report = runtime.stop();

    assertThat(report.clean()).isTrue();
    assertThat(handler.calls()).hasSize(sent.size());
    assertThat(handler.ackedPayloads()).hasSize(sent.size());
    AmqpStats stats = transport.source().stats();
    assertThat(stats.channelLosses.sum()).as("channel errors (%s)", stats).isZero();
    assertThat(stats.multipleAcks.sum()).as("batched acks").isPositive();
    assertThat(stats.multipleAcks.sum() + stats.singleAcks.sum())
        .as("ack frames (%s)", stats)
        .isLessThanOrEqualTo(sent.size());
    assertThat(broker.ready(name)).isZero();
  }

  @Test
  void deliveriesFinishedInOrderAreAckedInBatches() throws Exception {
    String name = RabbitBroker.unique("inorder");
    TaskConfig task =
        broker.task(name, Map.of("prefetch", 64, "ackBatch", 16), Map.of("consumerNum", 1));
    List<Message> sent = RabbitBroker.messages("m", 1000, 1);
    RabbitBroker.publish(task, sent);
    RecordingHandler handler = RecordingHandler.acking();
    CapturingTransport transport = new CapturingTransport();

    start(task, transport, handler);
    await().atMost(WAIT).until(() -> handler.calls().size() >= sent.size());
    assertThat(runtime.stop().clean()).isTrue();

    AmqpStats stats = transport.source().stats();
    assertThat(stats.singleAcks.sum()).as("%s", stats).isZero();
    assertThat(stats.multipleAcks.sum()).as("%s", stats).isBetween(1L, 1000L / 16 + 50);
    assertThat(broker.ready(name)).isZero();
  }

  @Test
  void gracefulStopWithAFullPrefetchWindowAcksNothingUnhandled() throws Exception {
    String name = RabbitBroker.unique("stopwindow");
    TaskConfig task =
        broker.task(
            name,
            Map.of("prefetch", 16),
            Map.of("consumerNum", 4, "shutdownTimeout", "1s", "handlerTimeout", "60s"));
    RabbitBroker.publish(task, RabbitBroker.messages("m", 100, 100));
    AtomicInteger quick = new AtomicInteger();
    RecordingHandler handler =
        new RecordingHandler(
            m -> {
              if (quick.incrementAndGet() <= 8) {
                return Outcome.ack();
              }
              TimeUnit.HOURS.sleep(1); // still working when the stop comes
              return Outcome.ack();
            });
    CapturingTransport transport = new CapturingTransport();

    start(task, transport, handler);
    // 8 handled and acked as far as the ack rules allow; the broker's window is full
    await()
        .atMost(WAIT)
        .until(() -> handler.acked().size() == 8 && transport.source().unacked() == 16);
    long unhandled = runtime.stats().received() - 8;
    StopReport report = runtime.stop();

    assertThat(report.clean()).isFalse();
    assertThat(report.abandoned()).isEqualTo(unhandled);
    Set<String> handled =
        handler.acked().stream().map(c -> c.message().id()).collect(Collectors.toSet());
    await().atMost(WAIT).until(() -> broker.ready(name) == 92);
    List<GetResponse> back = broker.drain(name);
    Set<String> backIds =
        back.stream().map(r -> r.getProps().getMessageId()).collect(Collectors.toSet());
    assertThat(backIds).hasSize(92).doesNotContainAnyElementsOf(handled);
    assertThat(back.stream().filter(r -> r.getEnvelope().isRedeliver()))
        .as("the unhandled deliveries")
        .hasSize((int) unhandled);
  }

  @Test
  void brokerSideRetriesKeepTheirContentAndCountAttemptsUntilTheDeadLetter() throws Exception {
    String name = RabbitBroker.unique("exhaust");
    TaskConfig task =
        broker.task(
            name,
            Map.of("retryDelays", List.of("100ms")),
            Map.of(
                "retry.parkLimit",
                "0s",
                "retry.maxAttempts",
                3,
                "retry.initialDelay",
                "50ms",
                "retry.jitter",
                0));
    RabbitBroker.publish(task, RabbitBroker.messages("m", 1, 1));
    RecordingHandler handler =
        new RecordingHandler(
            m -> {
              throw new IllegalStateException("always fails");
            });
    CapturingTransport transport = new CapturingTransport();

    start(task, transport, handler);
    await().atMost(WAIT).until(() -> broker.ready(name + ".dlq") == 1);

    assertThat(handler.calls()).extracting(c -> c.message().attempt()).containsExactly(1, 2, 3);
    assertThat(handler.calls()).extracting(c -> c.message().headers().get("seq")).containsOnly("0");
    assertThat(transport.source().stats().retriesPublished.sum()).isEqualTo(2);
    GetResponse dead = broker.drain(name + ".dlq").get(0);
    assertThat(AmqpMessages.text(dead.getProps().getHeaders()))
        .containsEntry("lanes-attempt", "3")
        .containsEntry("seq", "0")
        .hasEntrySatisfying("lanes-reason", r -> assertThat(r).contains("always fails"));
  }
}
