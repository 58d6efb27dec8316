package dev.lanes.transport.nsq;

import static dev.lanes.transport.nsq.NsqTestBed.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lanes.api.Outcome;
import dev.lanes.runtime.TaskRuntime;
import dev.lanes.spi.Delivery;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.Source;
import dev.lanes.spi.TaskConfig;
import dev.lanes.testing.RecordingSink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Real faults: nsqd restarting, a consumer process killed, nsqd nodes joining and leaving, a
 * connection cut under the source (a Toxiproxy proxy in front of the shared nsqd is disabled, then
 * enabled again).
 */
@Tag("broker")
class NsqFaultTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

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
  void consumptionResumesWhenNsqdRestartsMidStreamAndNothingIsLost() throws Exception {
    String topic = bed.topic("restart");
    TaskConfig task = NsqTestBed.task("restart", topic, Map.of("consumerNum", 4));
    List<String> sent = IntStream.range(0, 400).mapToObj(i -> "m" + i).toList();
    publish(task, sent);
    Recorder handler =
        new Recorder(
            m -> {
              TimeUnit.MILLISECONDS.sleep(20);
              return Outcome.ack();
            });
    TaskRuntime runtime = start(task, handler);
    await().atMost(WAIT).until(() -> handler.acked().size() >= 100);

    NsqProcesses.restartSharedNsqd();
    assertThat(handler.acked()).as("restarted mid-stream").hasSizeLessThan(sent.size());

    await().atMost(WAIT).until(() -> handler.acked().containsAll(sent));
    await().atMost(WAIT).until(runtime::isReady);
    await().atMost(WAIT).until(() -> NsqTestBed.stats(topic, "restart").backlog() == 0);
    List<String> handled = handler.payloads();
    assertThat(new HashSet<>(handled)).isEqualTo(new HashSet<>(sent));
    // at-least-once: what was in flight when nsqd stopped comes again after it restarts
    assertThat(handled.size() - sent.size())
        .as("redelivered")
        .isLessThanOrEqualTo(task.consumerNum() * task.channelLength());
  }

  @Test
  void messagesHeldByAKilledConsumerComeBackAfterTheirTimeoutAndNothingIsLost() throws Exception {
    String topic = bed.topic("killed");
    String channel = "work";
    List<String> acked =
        List.of(order(4, "ack"), order(5, "ack"), order(6, "ack"), order(7, "ack"));
    List<String> held =
        List.of(order(0, "hold"), order(1, "hold"), order(2, "hold"), order(3, "hold"));
    publish(
        NsqTestBed.task("killed", topic, Map.of()),
        Stream.concat(held.stream(), acked.stream()).toList());

    Process child =
        new ProcessBuilder(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                KilledConsumer.class.getName(),
                topic,
                channel,
                "3s")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    List<String> said = new CopyOnWriteArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                out.lines().forEach(said::add);
              } catch (java.io.IOException e) {
                // the child died
              }
            },
            "killed-consumer-stdout");
    reader.start();
    long killedAt;
    try {
      await()
          .atMost(WAIT)
          .until(
              () ->
                  said.containsAll(
                      Stream.concat(
                              acked.stream().map(p -> "ACKED " + p),
                              held.stream().map(p -> "HOLDING " + p))
                          .toList()));
      // the child's FINs reached nsqd; what it holds it keeps touching past the 3 s timeout
      await().atMost(WAIT).until(() -> NsqTestBed.stats(topic, channel).inFlight() == held.size());
      TimeUnit.SECONDS.sleep(4);
      assertThat(NsqTestBed.stats(topic, channel).timedOut()).as("timeouts while alive").isZero();
    } finally {
      killedAt = System.nanoTime();
      child.destroyForcibly(); // SIGKILL: no REQ, no close, no goodbye
      child.waitFor();
      reader.join();
    }

    RecordingSink sink = new RecordingSink();
    try (NsqSource source =
        (NsqSource)
            transport.openSource(
                NsqTestBed.task("after_kill", topic, Map.of("nsq.channel", channel)))) {
      source.start(sink);
      List<String> redelivered = new ArrayList<>();
      for (int i = 0; i < held.size(); i++) {
        Delivery d = sink.next(WAIT);
        assertThat(d.message().attempt())
            .as("attempt of %s", d.message().payloadAsString())
            .isEqualTo(2);
        redelivered.add(d.message().payloadAsString());
        d.acknowledger().ack();
      }
      Duration after = Duration.ofNanos(System.nanoTime() - killedAt);
      assertThat(redelivered).containsExactlyInAnyOrderElementsOf(held);
      assertThat(after)
          .as("redelivered after the message timeout, not at once")
          .isBetween(Duration.ofMillis(500), Duration.ofSeconds(10));
      sink.assertQuietFor(Duration.ofSeconds(1)); // acked ones stay acked
      assertThat(NsqTestBed.stats(topic, channel).timedOut()).isEqualTo(held.size());
    }
  }

  @Test
  void picksUpAnNsqdThatJoinsThroughNsqlookupdAndGoesOnWhenItLeaves() throws Exception {
    String topic = bed.topic("nodes");
    NsqTestBed.createTopic(topic);
    TaskConfig task = NsqTestBed.task("nodes", topic, Map.of());
    Recorder handler = Recorder.acking();
    TaskRuntime runtime = start(task, handler);
    await().atMost(WAIT).until(runtime::isReady);
    List<String> first = List.of("main-0", "main-1", "main-2");
    publish(task, first);
    await().atMost(WAIT).until(() -> handler.acked().containsAll(first));

    List<String> second = List.of("joined-0", "joined-1", "joined-2");
    try (NsqProcesses.ExtraNsqd joined = new NsqProcesses.ExtraNsqd()) {
      publish(NsqTestBed.task("nodes", topic, Map.of("nsq.publishTo", joined.tcp)), second);
      await().atMost(WAIT).until(() -> handler.acked().containsAll(second));
    }
    List<String> third = List.of("main-3", "main-4", "main-5");
    publish(task, third);
    await().atMost(WAIT).until(() -> handler.acked().containsAll(third));
    assertThat(runtime.isReady()).isTrue();
    Set<String> all = new HashSet<>(first);
    all.addAll(second);
    all.addAll(third);
    assertThat(handler.payloads()).containsExactlyInAnyOrderElementsOf(all);
  }

  @Test
  void aCutConnectionCountsItsMessagesInFlightAsRedeliveriesAndTheReconnectOnce() throws Exception {
    String topic = bed.topic("cut");
    try (Toxiproxy proxy = new Toxiproxy("nsq_cut", NsqTestBed.NSQD_TCP)) {
      TaskConfig task =
          NsqTestBed.task(
              "cut",
              topic,
              Map.of(
                  "nsq.nsqd", List.of(proxy.listen), "nsq.maxInFlight", 4, "nsq.msgTimeout", "2s"));
      NsqTestBed.createTopic(topic);
      for (int i = 0; i < 6; i++) {
        NsqTestBed.publishHttp(topic, "m" + i);
      }
      RecordingSink sink = new RecordingSink();
      Source source = transport.openSource(task);
      try {
        source.start(sink);
        List<Delivery> held = sink.next(4, WAIT); // RDY 4: nsqd sends no more until one settles
        assertThat(redeliveries(source)).isZero();
        assertThat(reconnects(source)).isZero();

        proxy.disable();
        await()
            .atMost(WAIT)
            .alias("the 4 messages in flight on the cut connection counted")
            .until(() -> redeliveries(source) == 4);
        assertThat(held).allSatisfy(d -> assertThat(d.acknowledger().isStale()).isTrue());
        await()
            .during(Duration.ofSeconds(3)) // reconnection attempts fail meanwhile
            .atMost(Duration.ofSeconds(5))
            .until(() -> reconnects(source) == 0);

        proxy.enable();
        await()
            .atMost(WAIT)
            .alias("the re-established connection counted")
            .until(() -> reconnects(source) == 1);
        // nsqd requeues the cut messages after msgTimeout: 6 messages, each handled once now
        for (int i = 0; i < 6; i++) {
          sink.next(WAIT).acknowledger().ack();
        }
        await().atMost(WAIT).until(() -> NsqTestBed.stats(topic, "cut").backlog() == 0);
        held.forEach(d -> d.acknowledger().ack()); // stale: nothing is sent
        assertThat(redeliveries(source)).isEqualTo(4);
        assertThat(reconnects(source)).isEqualTo(1);
        assertThat(NsqTestBed.stats(topic, "cut").timedOut()).isEqualTo(4);
      } finally {
        source.close();
      }
      assertThat(redeliveries(source)).as("a close counts nothing lost").isEqualTo(4);
    }
  }

  private static long redeliveries(Source source) {
    return source.redeliveries().orElseThrow();
  }

  private static long reconnects(Source source) {
    return source.reconnects().orElseThrow();
  }

  private static String order(int n, String kind) {
    return "{\"n\":" + n + ",\"kind\":\"" + kind + "\"}";
  }

  private TaskRuntime start(TaskConfig task, Recorder handler) {
    TaskRuntime runtime = TaskRuntime.create(task, transport, handler, new SimpleMeterRegistry());
    runtimes.add(runtime);
    runtime.start();
    return runtime;
  }

  private void publish(TaskConfig task, List<String> payloads) throws Exception {
    try (Publisher publisher = transport.openPublisher(task)) {
      publisher.publishAll(payloads.stream().map(p -> message(p)).toList());
    }
  }
}
