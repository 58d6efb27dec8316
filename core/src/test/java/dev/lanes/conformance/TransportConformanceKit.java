package dev.lanes.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lanes.api.Message;
import dev.lanes.api.MessageHandler;
import dev.lanes.api.Outcome;
import dev.lanes.dispatch.SourceFlow;
import dev.lanes.runtime.StopReport;
import dev.lanes.runtime.TaskRuntime;
import dev.lanes.spi.Acknowledger;
import dev.lanes.spi.Delivery;
import dev.lanes.spi.LanesHeaders;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.Routing;
import dev.lanes.spi.Source;
import dev.lanes.spi.StopMode;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.Transport;
import dev.lanes.spi.TransportMeters;
import dev.lanes.testing.Tasks;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The scenarios every transport must pass, run against its real broker. A transport's test extends
 * this class and says how to name a fresh destination, how to consume its dead letters, and which
 * {@link Features} it has. Each scenario uses its own destination. The scenarios about order, flow
 * control and stopping run once per {@link Routing} mode.
 */
public abstract class TransportConformanceKit {

  private final List<TaskRuntime> started = new ArrayList<>();

  /** The transport under test. */
  protected abstract Transport transport();

  /**
   * Transport config keys (e.g. {@code kafka.topic}) for a fresh destination unique to this run.
   */
  protected abstract Map<String, Object> destination(String scenario);

  /** Transport config keys of a task that consumes the dead letters of {@code task}. */
  protected abstract Map<String, Object> deadLetters(TaskConfig task);

  protected Features features() {
    return Features.defaults();
  }

  /**
   * The {@link TransportMeters} of the source this transport must register: by default every shared
   * one ({@code lanes.transport.connected} is the runtime's, for every transport). Override only
   * for a concept the broker does not have, and say which in docs/operations.md.
   */
  protected Set<String> transportMeters() {
    return Set.of(
        TransportMeters.CONNECTED, TransportMeters.RECONNECTS, TransportMeters.REDELIVERIES);
  }

  @AfterEach
  void stopEverything() {
    started.forEach(TaskRuntime::stop);
    started.clear();
  }

  // ---------------------------------------------------------------- scenarios

  @Test
  void deliversEveryMessageIntact() throws Exception {
    TaskConfig task = task("intact", Map.of());
    List<Message> sent = orders(8, 5);
    publish(task, sent);
    RecordingHandler handler = RecordingHandler.acking();
    start(task, handler);

    awaitPayloads(handler, sent);
    assertThat(handler.payloads()).isEqualTo(payloads(sent));
    for (RecordingHandler.Call call : handler.calls()) {
      Message original = byPayload(sent, call.payload());
      assertThat(call.message().attempt()).isEqualTo(1);
      if (features().keys()) {
        assertThat(call.message().key()).isEqualTo(original.key());
      }
      if (features().headers()) {
        assertThat(call.message().headers())
            .containsEntry("conformance", original.headers().get("conformance"));
      }
    }
  }

  @Test
  void ackedMessagesAreNotRedelivered() throws Exception {
    TaskConfig task = task("acked", Map.of());
    List<Message> sent = orders(4, 5);
    publish(task, sent);
    RecordingHandler first = RecordingHandler.acking();
    TaskRuntime run = start(task, first);
    awaitPayloads(first, sent);
    assertThat(run.stop().clean()).isTrue();

    RecordingHandler second = RecordingHandler.acking();
    start(task, second);
    Message marker = order("marker", 0);
    publish(task, List.of(marker));
    awaitPayloads(second, List.of(marker));
    TimeUnit.MILLISECONDS.sleep(features().quietPeriod().toMillis());
    assertThat(second.payloads()).containsExactly(marker.payloadAsString());
    assertThat(first.calls()).hasSize(sent.size());
  }

  @Test
  void retriesInProcessAfterTheRequestedDelay() throws Exception {
    TaskConfig task = task("retry_in_process", Map.of("retry.maxAttempts", 5));
    Duration delay = Duration.ofMillis(300);
    RecordingHandler handler =
        new RecordingHandler(m -> m.attempt() < 3 ? Outcome.retry(delay) : Outcome.ack());
    publish(task, List.of(order("k", 1)));
    start(task, handler);

    await().atMost(features().timeout()).until(() -> handler.acked().size() == 1);
    List<RecordingHandler.Call> calls = handler.calls();
    assertThat(calls).extracting(c -> c.message().attempt()).containsExactly(1, 2, 3);
    assertGapAtLeast(calls, delay);
  }

  @Test
  void retriesThroughTheBrokerAfterTheRequestedDelay() throws Exception {
    TaskConfig task = task("retry_broker", Map.of("retry.parkLimit", "0s"));
    Duration delay = Duration.ofSeconds(1);
    RecordingHandler handler =
        new RecordingHandler(m -> m.attempt() < 2 ? Outcome.retry(delay) : Outcome.ack());
    publish(task, List.of(order("k", 1)));
    start(task, handler);

    await().atMost(features().timeout()).until(() -> handler.acked().size() == 1);
    List<RecordingHandler.Call> calls = handler.calls();
    assertThat(calls).extracting(c -> c.message().attempt()).containsExactly(1, 2);
    assertThat(calls.get(1).payload()).isEqualTo(calls.get(0).payload());
    assertGapAtLeast(calls, delay);
  }

  @Test
  void failuresFollowTheRetryPolicyThenDeadLetter() throws Exception {
    TaskConfig task =
        task("exhausted", Map.of("retry.maxAttempts", 3, "retry.initialDelay", "50ms"));
    RecordingHandler handler =
        new RecordingHandler(
            m -> {
              throw new IllegalStateException("downstream is down");
            });
    Message sent = order("k", 1);
    publish(task, List.of(sent));
    start(task, handler);

    RecordingHandler dead = consumeDeadLetters(task);
    awaitPayloads(dead, List.of(sent));
    assertThat(handler.calls()).extracting(c -> c.message().attempt()).containsExactly(1, 2, 3);
    if (features().headers()) {
      assertThat(dead.calls().get(0).message().headers().get(LanesHeaders.REASON))
          .contains("retries exhausted")
          .contains("downstream is down");
      assertThat(dead.calls().get(0).message().headers().get(LanesHeaders.ATTEMPT))
          .as("attempts the dead letter reports, in-process retries included")
          .isEqualTo("3");
    }
  }

  @Test
  void rejectedMessagesLandInTheDeadLetterWithTheirReason() throws Exception {
    TaskConfig task = task("rejected", Map.of());
    List<Message> sent = orders(2, 5);
    List<Message> rejected = sent.stream().filter(m -> seq(m) % 2 == 1).toList();
    RecordingHandler handler =
        new RecordingHandler(m -> seq(m) % 2 == 1 ? Outcome.reject("bad payload") : Outcome.ack());
    publish(task, sent);
    start(task, handler);

    RecordingHandler dead = consumeDeadLetters(task);
    awaitPayloads(dead, rejected);
    awaitPayloads(handler, sent);
    assertThat(dead.payloads()).isEqualTo(payloads(rejected));
    assertThat(handler.calls()).hasSize(sent.size());
    if (features().headers()) {
      assertThat(dead.calls())
          .allSatisfy(
              c ->
                  assertThat(c.message().headers())
                      .containsEntry(LanesHeaders.REASON, "bad payload"));
    }
  }

  /**
   * A downstream outage with the circuit breaker on: it opens after a few failed calls, the source
   * is paused, the lanes hold their messages while probes fail, and once the downstream is back
   * every message is acked in per-key order and none reaches the dead letter. Without the breaker
   * each message would exhaust its 10 attempts, 50 ms apart, within the outage.
   */
  @ParameterizedTest(name = "routing {0}")
  @EnumSource(Routing.class)
  void anOutageWithTheBreakerOnDeadLettersNothingAndKeepsPerKeyOrder(Routing routing)
      throws Exception {
    Map<String, Object> settings = new HashMap<>();
    settings.put("routing", routing.configName());
    settings.put("consumerNum", 4);
    settings.put("deliverBy", "order_id");
    settings.put("retry.maxAttempts", 10);
    settings.put("retry.initialDelay", "50ms");
    settings.put("retry.multiplier", 1);
    settings.put("breaker.enabled", true);
    settings.put("breaker.minimumCalls", 4);
    settings.put("breaker.window", "10s");
    settings.put("breaker.openFor", "500ms");
    TaskConfig task = task("breaker_" + routing, settings);
    List<Message> sent = orders(4, 5);
    AtomicBoolean down = new AtomicBoolean(true);
    RecordingHandler handler =
        new RecordingHandler(
            m -> {
              if (down.get()) {
                throw new IllegalStateException("downstream is down");
              }
              return Outcome.ack();
            });
    publish(task, sent);
    start(task, handler);
    RecordingHandler dead = consumeDeadLetters(task);

    await().atMost(features().timeout()).until(() -> handler.calls().size() >= 4);
    TimeUnit.MILLISECONDS.sleep(1500); // the outage goes on: probes fail, the breaker re-opens
    int callsWhileDown = handler.calls().size();
    down.set(false);

    await().atMost(features().timeout()).until(() -> handler.acked().size() >= sent.size());
    TimeUnit.MILLISECONDS.sleep(features().quietPeriod().toMillis());
    assertThat(dead.calls()).as("dead-lettered").isEmpty();
    assertThat(handler.acked()).hasSize(sent.size());
    assertThat(callsWhileDown)
        .as("calls while down: the opening ones, calls already started, ~3 probes")
        .isLessThan(4 + 3 + 6);
    Map<String, List<Integer>> seqsByKey = new LinkedHashMap<>();
    for (RecordingHandler.Call call : handler.calls()) {
      seqsByKey
          .computeIfAbsent(orderId(call.message()), k -> new ArrayList<>())
          .add(seq(call.message()));
    }
    seqsByKey.forEach((key, seqs) -> assertThat(seqs).as("order of key %s", key).isSorted());
  }

  @ParameterizedTest(name = "routing {0}")
  @EnumSource(Routing.class)
  void keepsPerKeyOrderAcrossParallelLanes(Routing routing) throws Exception {
    TaskConfig task =
        task(
            "order_" + routing,
            Map.of("consumerNum", 8, "deliverBy", "order_id", "routing", routing.configName()));
    int keys = 16;
    int perKey = 20;
    List<Message> sent = orders(keys, perKey);
    RecordingHandler handler =
        new RecordingHandler(
            m -> {
              TimeUnit.MICROSECONDS.sleep(ThreadLocalRandom.current().nextInt(2000));
              boolean flaky = seq(m) == 5 && m.attempt() == 1;
              return flaky ? Outcome.retry(Duration.ofMillis(50)) : Outcome.ack();
            });
    publish(task, sent);
    start(task, handler);

    await().atMost(features().timeout()).until(() -> handler.acked().size() >= sent.size());
    Map<String, List<Integer>> seqsByKey = new LinkedHashMap<>();
    Set<Integer> lanes = new HashSet<>();
    for (RecordingHandler.Call call : handler.acked()) {
      seqsByKey
          .computeIfAbsent(orderId(call.message()), k -> new ArrayList<>())
          .add(seq(call.message()));
      lanes.add(call.lane());
    }
    assertThat(seqsByKey).hasSize(keys);
    List<Integer> expected = IntStream.range(0, perKey).boxed().toList();
    seqsByKey.forEach(
        (key, seqs) -> assertThat(seqs).as("order of key %s", key).isEqualTo(expected));
    assertThat(lanes).as("lanes used").hasSizeGreaterThan(1).doesNotContain(-1);
  }

  @ParameterizedTest(name = "routing {0}")
  @EnumSource(Routing.class)
  void pausesTheSourceWhileLanesAreFull(Routing routing) throws Exception {
    int lanes = 2;
    int channelLength = 5;
    TaskConfig task =
        task(
            "backpressure_" + routing,
            Map.of(
                "consumerNum",
                lanes,
                "channelLength",
                channelLength,
                "routing",
                routing.configName()));
    List<Message> sent = orders(10, 30);
    publish(task, sent);
    RecordingHandler handler =
        new RecordingHandler(
            m -> {
              TimeUnit.MILLISECONDS.sleep(2);
              return Outcome.ack();
            });
    TaskRuntime run = start(task, handler);
    AtomicLong maxInFlight = new AtomicLong();
    AtomicBoolean sampling = new AtomicBoolean(true);
    Thread sampler =
        new Thread(
            () -> {
              while (sampling.get()) {
                maxInFlight.accumulateAndGet(run.stats().inFlight(), Math::max);
                Thread.onSpinWait();
              }
            });
    sampler.start();
    try {
      awaitPayloads(handler, sent);
    } finally {
      sampling.set(false);
      sampler.join();
    }
    long bound = (long) lanes * channelLength + lanes + features().fetchWindow();
    assertThat(maxInFlight.get()).as("max in flight").isBetween(1L, bound);
  }

  /**
   * Flow control under load: a large backlog through tiny lanes with jittered handlers pauses and
   * resumes the source again and again; every message must come through, in order per key, without
   * the watchdog ever having to repair a lost resume. {@code -Dlanes.stress.messages=N} scales it.
   * Under {@code routing = key} the same bound ({@code lanes × channelLength}) holds for the task.
   */
  @ParameterizedTest(name = "routing {0}")
  @EnumSource(Routing.class)
  void drainsALargeBacklogThroughTinyLanesWithoutStalling(Routing routing) throws Exception {
    int lanes = 4;
    int channelLength = 2;
    int keys = 64;
    // 8,000 by default: below nsqd's --mem-queue-size, past which NSQ itself does not keep order
    int perKey = Integer.getInteger("lanes.stress.messages", 8_000) / keys;
    TaskConfig task =
        task(
            "stress_" + routing,
            Map.of(
                "consumerNum",
                lanes,
                "channelLength",
                channelLength,
                "deliverBy",
                "order_id",
                "routing",
                routing.configName()));
    List<Message> sent = orders(keys, perKey);
    publish(task, sent);
    RecordingHandler handler =
        new RecordingHandler(
            m -> {
              int jitter = ThreadLocalRandom.current().nextInt(100);
              if (jitter < 2) {
                TimeUnit.MILLISECONDS.sleep(2); // now and then a slow call lets its lane fill
              } else if (jitter < 40) {
                TimeUnit.MICROSECONDS.sleep(jitter);
              }
              return Outcome.ack();
            });
    TaskRuntime run = start(task, handler);

    await()
        .atMost(features().timeout().multipliedBy(2))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> handler.ackedPayloads().size() >= sent.size());
    SourceFlow.Stats flow = run.flowStats();
    // every broker here delivers at least once (an NSQ message whose touch comes late on a loaded
    // machine is sent again): order is judged on first occurrences, repeats are counted
    Map<String, List<Integer>> seqsByKey = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    int repeats = 0;
    for (RecordingHandler.Call call : handler.acked()) {
      if (!seen.add(call.payload())) {
        repeats++;
        continue;
      }
      seqsByKey
          .computeIfAbsent(orderId(call.message()), k -> new ArrayList<>())
          .add(seq(call.message()));
    }
    List<Integer> expected = IntStream.range(0, perKey).boxed().toList();
    seqsByKey.forEach(
        (key, seqs) -> assertThat(seqs).as("order of key %s", key).isEqualTo(expected));
    assertThat(seqsByKey).hasSize(keys);
    int window = lanes * channelLength + features().fetchWindow();
    if (routing == Routing.LANE) {
      assertThat(flow.pauses())
          .as("pause/resume cycles for %d messages (fetch window %d)", sent.size(), window)
          .isGreaterThanOrEqualTo(sent.size() / (4L * window));
    }
    // under key routing one shared queue of lanes × channelLength fills only when the source
    // delivers more than that beyond the running calls: often on most brokers, rarely on NSQ, whose
    // RDY count is that same number. pausesTheSourceWhileLanesAreFull checks the bound itself.
    assertThat(flow.stallsResolved()).as("lost resumes the watchdog repaired").isZero();
    System.out.printf(
        "%s stress (routing %s): %d messages, %d pauses of the source, %d handled again%n",
        transport().name(), routing, sent.size(), flow.pauses(), repeats);
  }

  @ParameterizedTest(name = "routing {0}")
  @EnumSource(Routing.class)
  void gracefulStopLosesNothingAndAcksNothingUnhandled(Routing routing) throws Exception {
    TaskConfig task =
        task(
            "graceful_" + routing,
            Map.of("channelLength", 4, "stopMode", "drain", "routing", routing.configName()));
    List<Message> sent = orders(10, 10);
    publish(task, sent);
    RecordingHandler first =
        new RecordingHandler(
            m -> {
              TimeUnit.MILLISECONDS.sleep(10);
              return Outcome.ack();
            });
    TaskRuntime run = start(task, first);
    await().atMost(features().timeout()).until(() -> first.calls().size() >= 20);
    StopReport report = run.stop();
    assertThat(report.clean()).as("stop report %s", report).isTrue();

    RecordingHandler second = RecordingHandler.acking();
    start(task, second);
    Set<String> remaining = new HashSet<>(payloads(sent));
    remaining.removeAll(first.ackedPayloads());
    await().atMost(features().timeout()).until(() -> second.payloads().containsAll(remaining));
    TimeUnit.MILLISECONDS.sleep(features().quietPeriod().toMillis());
    assertThat(second.payloads())
        .as("acked in the first run, redelivered in the second")
        .doesNotContainAnyElementsOf(first.ackedPayloads());
    assertThat(first.calls().size() + second.calls().size()).isEqualTo(sent.size());
  }

  @ParameterizedTest(name = "routing {0}")
  @EnumSource(Routing.class)
  void aFinishRunningStopReleasesTheQueueInOrderAndLosesNothing(Routing routing) throws Exception {
    assumeTrue(
        transport().defaultStopMode() == StopMode.FINISH_RUNNING,
        "releasing keeps per-key order only where it is the transport's default stop mode");
    TaskConfig task =
        task(
            "release_" + routing,
            Map.of(
                "consumerNum",
                2,
                "deliverBy",
                "order_id",
                "stopMode",
                "finish-running",
                "routing",
                routing.configName()));
    List<Message> sent = orders(10, 20);
    publish(task, sent);
    RecordingHandler slow =
        new RecordingHandler(
            m -> {
              TimeUnit.MILLISECONDS.sleep(300);
              return Outcome.ack();
            });
    TaskRuntime run = start(task, slow);
    await().atMost(features().timeout()).until(() -> slow.calls().size() >= 2);
    StopReport report = run.stop();
    assertThat(report.clean()).as("stop report %s", report).isTrue();
    assertThat(report.released()).as("stop report %s", report).isPositive();
    assertThat(report.took()).as("about one call of 300 ms").isLessThan(Duration.ofSeconds(3));

    RecordingHandler second = RecordingHandler.acking();
    start(task, second);
    awaitPayloads(
        second,
        sent.stream().filter(m -> !slow.ackedPayloads().contains(m.payloadAsString())).toList());
    TimeUnit.MILLISECONDS.sleep(features().quietPeriod().toMillis());
    List<RecordingHandler.Call> all = new ArrayList<>(slow.calls());
    all.addAll(second.calls());
    assertThat(all)
        .as("no attempt counted for a release")
        .allMatch(c -> c.message().attempt() == 1);
    Map<String, Integer> highest = new HashMap<>();
    for (RecordingHandler.Call call : all) {
      int before = highest.getOrDefault(orderId(call.message()), -1);
      assertThat(seq(call.message()))
          .as("%s handled before its predecessors", call.payload())
          .isLessThanOrEqualTo(before + 1);
      highest.put(orderId(call.message()), Math.max(before, seq(call.message())));
    }
    assertThat(all).as("each handled once").hasSize(sent.size());
  }

  @Test
  void abandonsUnfinishedWorkAtTheDeadlineForRedelivery() throws Exception {
    TaskConfig task = task("abandon", Map.of("shutdownTimeout", "1s", "handlerTimeout", "60s"));
    List<Message> sent = orders(2, 5);
    publish(task, sent);
    RecordingHandler blocked =
        new RecordingHandler(
            m -> {
              TimeUnit.HOURS.sleep(1); // interrupted at the shutdown deadline
              return Outcome.ack();
            });
    TaskRuntime run = start(task, blocked);
    await().atMost(features().timeout()).until(() -> run.stats().received() > 0);
    StopReport report = run.stop();
    assertThat(report.clean()).isFalse();
    assertThat(report.abandoned()).isPositive();
    assertThat(run.stop().abandoned()).as("second stop is a no-op").isZero();

    RecordingHandler second = RecordingHandler.acking();
    start(task, second);
    awaitPayloads(second, sent);
    assertThat(second.payloads()).isEqualTo(payloads(sent));
  }

  /**
   * {@link LanesHeaders}' one rule on this broker: a dead letter names the reason, the attempts and
   * where the message was first consumed (offset and partition only where the broker has them); a
   * message that already carries an origin (a replayed dead letter) keeps it.
   */
  @Test
  void deadLettersCarryTheFirstOriginOfTheirMessage() throws Exception {
    assumeTrue(features().headers(), "the broker carries no headers");
    TaskConfig task = task("dead_headers", Map.of());
    Message fresh = order("fresh", 0);
    Map<String, String> earlier = new HashMap<>(fresh.headers());
    earlier.put(LanesHeaders.ORIGINAL_DESTINATION, "first-queue");
    earlier.put(LanesHeaders.ORIGINAL_OFFSET, "7");
    earlier.put(LanesHeaders.ORIGINAL_ID, "first-id");
    Message replayed = order("replayed", 0).toBuilder().headers(earlier).build();
    RecordingHandler handler = new RecordingHandler(m -> Outcome.reject("bad payload"));
    publish(task, List.of(fresh, replayed));
    start(task, handler);

    RecordingHandler dead = consumeDeadLetters(task);
    awaitPayloads(dead, List.of(fresh, replayed));
    Message handled = messageWithPayload(handler, fresh.payloadAsString());
    Map<String, String> expected = new HashMap<>();
    expected.put(LanesHeaders.REASON, "bad payload");
    expected.put(LanesHeaders.ATTEMPT, "1");
    expected.put(LanesHeaders.ORIGINAL_DESTINATION, handled.origin().destination());
    expected.put(LanesHeaders.ORIGINAL_ID, handled.id());
    if (handled.origin().partition() >= 0) {
      expected.put(LanesHeaders.ORIGINAL_PARTITION, Integer.toString(handled.origin().partition()));
    }
    if (handled.origin().offset() >= 0) {
      expected.put(LanesHeaders.ORIGINAL_OFFSET, Long.toString(handled.origin().offset()));
    }
    assertThat(lanesHeaders(messageWithPayload(dead, fresh.payloadAsString())))
        .as("a first dead letter")
        .isEqualTo(expected);
    assertThat(lanesHeaders(messageWithPayload(dead, replayed.payloadAsString())))
        .as("the dead letter of a message that already carried an origin")
        .isEqualTo(
            Map.of(
                LanesHeaders.REASON, "bad payload",
                LanesHeaders.ATTEMPT, "1",
                LanesHeaders.ORIGINAL_DESTINATION, "first-queue",
                LanesHeaders.ORIGINAL_OFFSET, "7",
                LanesHeaders.ORIGINAL_ID, "first-id"));
  }

  /**
   * {@link dev.lanes.spi.SettleOnceAcknowledger}'s rule 2 on this broker: after a reject, a second
   * settle of any kind neither throws nor reaches the broker: one dead letter, with the first
   * reason, and no redelivery.
   */
  @Test
  void aSecondSettleIsIgnoredWithoutASecondBrokerCall() throws Exception {
    TaskConfig task = task("settle_twice", Map.of());
    Message sent = publishOne(task);
    BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
    try (Source source = transport().openSource(task)) {
      Acknowledger acknowledger = firstDelivery(source, deliveries).acknowledger();
      acknowledger.reject("first", 1);
      acknowledger.ack();
      acknowledger.reject("second", 1);
      acknowledger.retry(Duration.ZERO, 2);
      source.flush();

      RecordingHandler dead = consumeDeadLetters(task);
      awaitPayloads(dead, List.of(sent));
      TimeUnit.MILLISECONDS.sleep(features().quietPeriod().toMillis());
      assertThat(dead.calls()).as("dead letters").hasSize(1);
      if (features().headers()) {
        assertThat(dead.calls().get(0).message().headers())
            .containsEntry(LanesHeaders.REASON, "first");
      }
      assertThat(deliveries).as("redelivered after the ignored retry").isEmpty();
    }
  }

  /**
   * {@link dev.lanes.spi.SettleOnceAcknowledger}'s rule 3 on this broker: settling a delivery after
   * its source closed neither throws nor settles it: the next consumer gets the message.
   */
  @Test
  void aSettleAfterTheSourceClosedIsIgnoredAndTheMessageComesBack() throws Exception {
    TaskConfig task = task("settle_after_close", Map.of());
    Message sent = publishOne(task);
    BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
    Delivery delivery;
    try (Source source = transport().openSource(task)) {
      delivery = firstDelivery(source, deliveries);
      source.stopReceiving();
    }
    delivery.acknowledger().ack();
    delivery.acknowledger().reject("after close", 1);

    RecordingHandler next = RecordingHandler.acking();
    start(task, next);
    awaitPayloads(next, List.of(sent));
  }

  /**
   * The shared transport meters of {@link #transportMeters()} are in the runtime's registry with
   * the task's tag, {@code lanes.transport.connected} reads 1 while the source is connected (once a
   * message went through: NSQ connects to the nsqd nodes lookupd knows for the topic), and a
   * publisher opened through the runtime counts what it published.
   */
  @Test
  void transportMetersArePresentWithTheTasksTag() throws Exception {
    TaskConfig task = task("meters", Map.of());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RecordingHandler handler = RecordingHandler.acking();
    TaskRuntime runtime = TaskRuntime.create(task, transport(), handler, registry);
    Message sent = order("k", 1);
    try (Publisher publisher = runtime.openPublisher(task)) {
      publisher.publish(sent);
    }
    started.add(runtime);
    runtime.start();
    awaitPayloads(handler, List.of(sent));

    for (String name : transportMeters()) {
      assertThat(registry.find(name).tag("lanes.task", task.name()).meter()).as(name).isNotNull();
    }
    assertThat(registry.find(TransportMeters.PUBLISHED).tag("lanes.task", task.name()).counter())
        .as(TransportMeters.PUBLISHED)
        .isNotNull()
        .extracting(c -> c.count())
        .isEqualTo(1.0);
    await()
        .atMost(features().timeout())
        .until(
            () ->
                registry
                        .find(TransportMeters.CONNECTED)
                        .tag("lanes.task", task.name())
                        .gauge()
                        .value()
                    == 1.0);
  }

  // ---------------------------------------------------------------- helpers

  /** A task for {@code scenario} on a fresh destination, with fast retries for tests. */
  protected TaskConfig task(String scenario, Map<String, ?> overrides) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("transport", transport().name());
    settings.put("consumerNum", 4);
    settings.put("channelLength", 64);
    settings.put("handlerTimeout", "20s");
    settings.put("shutdownTimeout", "15s");
    settings.put("retry.initialDelay", "100ms");
    settings.putAll(destination(scenario));
    settings.putAll(overrides);
    return Tasks.task("conformance_" + scenario, settings);
  }

  private static Message messageWithPayload(RecordingHandler handler, String payload) {
    return handler.calls().stream()
        .filter(c -> c.payload().equals(payload))
        .findFirst()
        .orElseThrow()
        .message();
  }

  /** The headers of {@link LanesHeaders}' names only: transports may add their own. */
  private static Map<String, String> lanesHeaders(Message message) {
    Map<String, String> lanes = new HashMap<>();
    for (String name :
        List.of(
            LanesHeaders.REASON,
            LanesHeaders.ATTEMPT,
            LanesHeaders.ORIGINAL_DESTINATION,
            LanesHeaders.ORIGINAL_PARTITION,
            LanesHeaders.ORIGINAL_OFFSET,
            LanesHeaders.ORIGINAL_ID)) {
      if (message.headers().containsKey(name)) {
        lanes.put(name, message.headers().get(name));
      }
    }
    return lanes;
  }

  private Message publishOne(TaskConfig task) throws Exception {
    Message sent = order("k", 1);
    publish(task, List.of(sent));
    return sent;
  }

  /** Starts {@code source} without a runtime and waits for its first delivery. */
  private Delivery firstDelivery(Source source, BlockingQueue<Delivery> deliveries)
      throws InterruptedException {
    source.start(deliveries::add);
    Delivery delivery = deliveries.poll(features().timeout().toMillis(), TimeUnit.MILLISECONDS);
    assertThat(delivery).as("delivered").isNotNull();
    return delivery;
  }

  protected TaskRuntime start(TaskConfig task, MessageHandler handler) {
    TaskRuntime runtime = TaskRuntime.create(task, transport(), handler, new SimpleMeterRegistry());
    started.add(runtime);
    runtime.start();
    return runtime;
  }

  protected void publish(TaskConfig task, List<Message> messages) throws Exception {
    try (Publisher publisher = transport().openPublisher(task)) {
      publisher.publishAll(messages);
    }
  }

  /** Starts a task that acks everything from the dead letter destination of {@code task}. */
  protected RecordingHandler consumeDeadLetters(TaskConfig task) {
    Map<String, Object> settings = new HashMap<>(deadLetters(task));
    settings.put("transport", transport().name());
    settings.put("consumerNum", 1);
    TaskConfig dead = Tasks.task(task.name() + "_dead", settings);
    RecordingHandler handler = RecordingHandler.acking();
    start(dead, handler);
    return handler;
  }

  protected void awaitPayloads(RecordingHandler handler, List<Message> expected) {
    Set<String> wanted = payloads(expected);
    await()
        .atMost(features().timeout())
        .pollInterval(Duration.ofMillis(20))
        .until(() -> handler.payloads().containsAll(wanted));
  }

  /** {@code keys * perKey} messages, interleaved by key, JSON payloads with order_id and seq. */
  protected static List<Message> orders(int keys, int perKey) {
    List<Message> messages = new ArrayList<>();
    for (int seq = 0; seq < perKey; seq++) {
      for (int k = 0; k < keys; k++) {
        messages.add(order("o" + k, seq));
      }
    }
    return messages;
  }

  protected static Message order(String orderId, int seq) {
    String nonce = Long.toHexString(ThreadLocalRandom.current().nextLong());
    return Message.builder()
        .key(orderId)
        .payload(
            "{\"data\":{\"order_id\":\""
                + orderId
                + "\",\"seq\":"
                + seq
                + "},\"nonce\":\""
                + nonce
                + "\"}")
        .headers(Map.of("conformance", orderId + "-" + seq))
        .build();
  }

  protected static int seq(Message message) {
    return ((Long) message.field("seq").orElseThrow()).intValue();
  }

  protected static String orderId(Message message) {
    return String.valueOf(message.field("order_id").orElseThrow());
  }

  private static Set<String> payloads(List<Message> messages) {
    Set<String> payloads = new HashSet<>();
    messages.forEach(m -> payloads.add(m.payloadAsString()));
    return payloads;
  }

  private static Message byPayload(List<Message> messages, String payload) {
    return messages.stream()
        .filter(m -> m.payloadAsString().equals(payload))
        .findFirst()
        .orElseThrow();
  }

  private static void assertGapAtLeast(List<RecordingHandler.Call> calls, Duration delay) {
    long tolerance = TimeUnit.MILLISECONDS.toNanos(25);
    for (int i = 1; i < calls.size(); i++) {
      long gap = calls.get(i).atNanos() - calls.get(i - 1).atNanos();
      assertThat(gap)
          .as("gap before attempt %d (ns)", i + 1)
          .isGreaterThanOrEqualTo(delay.toNanos() - tolerance);
    }
  }
}
