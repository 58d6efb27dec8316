package dev.lanes.transport.nsq;

import static dev.lanes.transport.nsq.NsqTestBed.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lanes.api.Outcome;
import dev.lanes.runtime.TaskRuntime;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.TaskConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** NSQ behaviour through the whole runtime (dispatcher, lanes, watchdog) against the real nsqd. */
@Tag("broker")
class NsqRuntimeTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final NsqTransport transport = new NsqTransport();
  private final NsqTestBed bed = new NsqTestBed();
  private final List<TaskRuntime> runtimes = new ArrayList<>();

  @BeforeAll
  static void brokers() {
    NsqTestBed.requireBrokers();
  }

  @AfterEach
  void cleanUp() {
    runtimes.forEach(TaskRuntime::stop);
    bed.deleteTopics();
  }

  @Test
  void everyChannelGetsEveryMessageAndRunnersOfOneChannelShareThem() throws Exception {
    String topic = bed.topic("fanout");
    NsqTestBed.createTopic(topic);
    Recorder audit = Recorder.acking();
    Recorder billing1 = Recorder.acking();
    Recorder billing2 = Recorder.acking();
    start(NsqTestBed.task("audit", topic, Map.of("nsq.channel", "audit")), audit);
    start(NsqTestBed.task("billing_1", topic, Map.of("nsq.channel", "billing")), billing1);
    start(NsqTestBed.task("billing_2", topic, Map.of("nsq.channel", "billing")), billing2);
    await().atMost(WAIT).until(() -> runtimes.stream().allMatch(TaskRuntime::isReady));

    List<String> sent = IntStream.range(0, 200).mapToObj(i -> "m" + i).toList();
    publish(NsqTestBed.task("fanout", topic, Map.of()), sent);

    await()
        .atMost(WAIT)
        .until(
            () ->
                audit.acked().size() == sent.size()
                    && billing1.acked().size() + billing2.acked().size() == sent.size());
    assertThat(audit.payloads()).containsExactlyInAnyOrderElementsOf(sent);
    Set<String> shared = new HashSet<>(billing1.payloads());
    shared.retainAll(billing2.payloads());
    assertThat(shared).as("delivered to both runners of one channel").isEmpty();
    assertThat(billing1.payloads()).as("runner 1's share").isNotEmpty();
    assertThat(billing2.payloads()).as("runner 2's share").isNotEmpty();
    List<String> billing = new ArrayList<>(billing1.payloads());
    billing.addAll(billing2.payloads());
    assertThat(billing).containsExactlyInAnyOrderElementsOf(sent);
  }

  @Test
  void messagesHeldLongerThanTheMessageTimeoutAreTouchedAndNotRedelivered() throws Exception {
    String topic = bed.topic("long");
    // one key, so the second message waits in the lane while the first one runs
    TaskConfig task =
        NsqTestBed.task(
            "long",
            topic,
            Map.of("nsq.msgTimeout", "2s", "deliverBy", "order_id", "handlerTimeout", "30s"));
    Recorder slow =
        new Recorder(
            m -> {
              TimeUnit.SECONDS.sleep(3);
              return Outcome.ack();
            });
    List<String> sent = List.of("{\"order_id\":1,\"n\":1}", "{\"order_id\":1,\"n\":2}");
    publish(task, sent);
    start(task, slow);

    await().atMost(WAIT).until(() -> slow.acked().size() == sent.size());
    await().atMost(WAIT).until(() -> NsqTestBed.stats(topic, "long").backlog() == 0);
    TimeUnit.SECONDS.sleep(1); // a redelivery would show up here
    assertThat(slow.payloads()).as("each handled once, in order").isEqualTo(sent);
    assertThat(slow.calls()).allSatisfy(c -> assertThat(c.message().attempt()).isEqualTo(1));
    ChannelStats stats = NsqTestBed.stats(topic, "long");
    assertThat(stats.timedOut()).as("timeouts").isZero();
    assertThat(stats.requeued()).as("requeues").isZero();
  }

  private void start(TaskConfig task, Recorder handler) {
    TaskRuntime runtime = TaskRuntime.create(task, transport, handler, new SimpleMeterRegistry());
    runtimes.add(runtime);
    runtime.start();
  }

  private void publish(TaskConfig task, List<String> payloads) throws Exception {
    try (Publisher publisher = transport.openPublisher(task)) {
      publisher.publishAll(payloads.stream().map(p -> message(p)).toList());
    }
  }
}
