package dev.lanes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fault suite: each fault injected into a runner consuming a keyed data set on each transport
 * it applies to; every run must keep the transport's guarantee, and the measured cells make the
 * table of docs/reliability.md ({@link ReliabilityTable}).
 */
@Tag("broker")
class FaultSuiteTest {

  private static final List<ReliabilityTable.Cell> CELLS =
      Collections.synchronizedList(new ArrayList<>());

  private static final String POISON = "{\"poison\":true,\"data\":{\"order_id\":99999}}";
  private static final String MALFORMED = "not json {order_id: 7";
  private static final String HANG = "{\"hang\":true,\"data\":{\"order_id\":99998}}";
  private static final String ERROR = "{\"error\":true,\"data\":{\"order_id\":99997}}";
  private static final int HUGE_BYTES = 900_000;

  /** The brokers the shared test bed may not lend: restarted, or cut (Kafka). */
  @RegisterExtension static final OwnBrokers OWN = new OwnBrokers();

  @TempDir Path dir;

  /**
   * SIGKILL mid-stream, then a new runner: whatever the dead runner held unsettled comes back, so
   * nothing is lost, duplicates stay within the transport's window and, on the transports that
   * promise it, each key's events are first handled in sequence.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"amqp", "kafka", "nsq", "local"})
  void sigkillMidStreamLosesNothingAndKeepsEachKeysOrder(String transport) throws Exception {
    BrokerTarget target = BrokerTargets.of(transport, dir);
    FaultRecord record = FaultScenario.on(target, dir, "SIGKILL mid-stream").run(Fault.sigkill());
    CELLS.add(record.cell());
    assertThat(record.kept(target.keepsOrderAcrossCrash())).as(record.toString()).isTrue();
  }

  /**
   * The link to the broker cut for 3 s mid-stream (every connection closed, new ones refused), then
   * restored: the runner reconnects by itself and finishes, losing nothing. Kafka's link is cut on
   * the test's own broker, whose advertised listener is the proxy.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"amqp", "kafka", "nsq"})
  void connectionCutAndRestoredLosesNothing(String transport) throws Exception {
    BrokerTarget target = cuttable(transport);
    FaultRecord record =
        throughProxy(FaultScenario.on(target, dir, "connection cut and restored"))
            .run(Fault.connectionCut(3000));
    CELLS.add(record.cell());
    assertThat(record.kept(target.keepsOrderAcrossCrash())).as(record.toString()).isTrue();
  }

  /**
   * The link to the broker slow for 5 s mid-stream (latency, jitter, little bandwidth, sliced
   * segments): nothing is lost or repeated beyond the window, and the runner goes on at full speed
   * once the link is back to normal.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"amqp", "kafka", "nsq"})
  void slowLinkLosesNothing(String transport) throws Exception {
    BrokerTarget target = cuttable(transport);
    FaultRecord record =
        throughProxy(FaultScenario.on(target, dir, "slow and lossy link"))
            .run(Fault.slowLink(5000));
    CELLS.add(record.cell());
    assertThat(record.kept(true)).as(record.toString()).isTrue();
  }

  /**
   * The link to the broker cut for a minute mid-stream, amqp, kafka (the test's own broker) and nsq
   * at once ({@link BrokerOutage}): each runner keeps running and reconnecting without flooding its
   * log (fewer than 60 records in the minute), raises one {@code broker_unreachable} alert after
   * {@code alerts.brokerUnreachable} (30 s), writes one {@code broker_reachable} record once
   * reconnected and finishes the set, losing nothing.
   */
  @Test
  void brokerUnreachableForAMinuteAlertsOnceAndResumes() throws Exception {
    List<BrokerOutage.Result> results =
        BrokerOutage.runAtOnce(
            List.of("amqp", "kafka", "nsq"),
            dir,
            Duration.ofSeconds(60),
            (transport, own) ->
                throughProxy(FaultScenario.on(cuttable(transport, own), own, BrokerOutage.FAULT)));
    results.forEach(r -> CELLS.add(r.cell()));
    for (BrokerOutage.Result r : results) {
      BrokerTarget target = BrokerTargets.of(r.transport(), dir);
      assertThat(r.record().recoveryMillis())
          .as("the outage hit mid-stream: %s", r)
          .isNotEqualTo(FaultRecord.FINISHED_DURING_FAULT);
      assertThat(r.aliveAfterOutage()).as("runner alive after the outage: %s", r).isTrue();
      assertThat(r.record().kept(target.keepsOrderAcrossCrash())).as(r.toString()).isTrue();
      assertThat(r.unreachableAlerts()).as("broker_unreachable alerts: %s", r).isEqualTo(1);
      assertThat(r.reachableAfterAlert()).as("broker_reachable after the alert: %s", r).isTrue();
      assertThat(r.reachableRecords()).as("broker_reachable records: %s", r).isEqualTo(1);
      assertThat(r.recordsDuringOutage())
          .as("log records during the outage (one a second would be a reconnect loop): %s", r)
          .isLessThan(60);
    }
  }

  /**
   * The local queue's disk full mid-stream, for real ({@link DiskFull}: a tmpfs of 8 MB filled up):
   * publishing is refused with an error naming the full disk (HTTP 507), the runner keeps running,
   * and once space is freed publishing works again and every stored event is handled.
   */
  @Test
  void diskFullRefusesPublishingAndLosesNothing() throws Exception {
    DiskFull.Result r = DiskFull.run(dir);
    CELLS.add(r.cell());
    assertThat(r.cliExitWhileFull()).as("runner publish on a full disk: %s", r).isEqualTo(1);
    assertThat(r.cliOutputWhileFull()).as("runner publish on a full disk").contains("is full");
    assertThat(r.httpStatusWhileFull()).as("HTTP publish on a full disk: %s", r).isEqualTo(507);
    assertThat(r.httpBodyWhileFull()).as("HTTP publish on a full disk").contains("is full");
    assertThat(r.cliExitAfter()).as("runner publish once space is freed: %s", r).isZero();
    assertThat(r.httpStatusAfter()).as("HTTP publish once space is freed: %s", r).isEqualTo(201);
    assertThat(r.lateHandled()).as("the two messages published after: %s", r).isEqualTo(2);
    assertThat(r.refusedHandled()).as("messages of the refused publishes handled: %s", r).isZero();
    assertThat(r.record().kept(true)).as(r.record().toString()).isTrue();
  }

  /**
   * A broker of the test's own stopped gracefully mid-stream and started again on the same data
   * (RabbitMQ: a durable queue of persistent messages; Kafka: its log; nsqd: what it held in
   * memory, written to disk on SIGTERM), so nothing is lost; the runner reconnects by itself, and
   * on amqp and kafka each key's events are still first handled in sequence.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"amqp", "kafka", "nsq"})
  void brokerRestartMidStreamLosesNothing(String transport) throws Exception {
    OwnBroker broker = OWN.broker(transport);
    BrokerTarget target = OWN.target(transport, dir);
    FaultRecord record =
        FaultScenario.on(target, dir, "broker restart mid-stream").run(Fault.brokerRestart(broker));
    CELLS.add(record.cell());
    assertThat(record.kept(target.keepsOrderAcrossCrash())).as(record.toString()).isTrue();
  }

  /**
   * Nothing listens where the broker should be: the runner exits 2 within its connect timeout,
   * handles nothing, and all 20 messages still wait on the real broker.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"amqp", "kafka", "nsq"})
  void brokerUnreachableAtStartExitsTwoAndConsumesNothing(String transport) throws Exception {
    BrokerTarget target = BrokerTargets.of(transport, dir);
    String name =
        "fault_" + transport + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    target.prepare(name);
    target.publishMany(name, Recorded.orderEvents(5, 4));
    Path record = dir.resolve("handled.jsonl");
    Path tasks = dir.resolve("unreachable.conf");
    Files.writeString(
        tasks,
        """
        orders {
          consumerNum = 4
          deliverBy = order_id
          http.port = 0
          handler = dev.lanes.samples.RecordingHandler
          record.file = "%s"
          amqp.connectionTimeout = 2s
          kafka.connectTimeout = 3s
          %s
          %s
        }
        """
            .formatted(record, target.destination(name), target.brokerAt(deadAddress())));
    long start = System.nanoTime();
    int exit;
    String output;
    try (RunnerProcess runner =
        RunnerProcess.start(
            dir, "--transport=" + transport, "--task", "orders", "--config", tasks.toString())) {
      exit = runner.waitFor(Duration.ofSeconds(40));
      output = runner.output();
    }
    long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
    CELLS.add(
        new ReliabilityTable.Cell(
            "broker unreachable at start",
            transport,
            "exit %d after %.1f s, %d handled, %d of 20 still waiting"
                .formatted(exit, millis / 1e3, Recorded.count(record), target.waiting(name))));
    assertThat(exit).as("exit code; output:%n%s", output).isEqualTo(2);
    assertThat(Recorded.count(record)).as("messages handled").isZero();
    assertThat(target.waiting(name)).as("messages still waiting on the broker").isEqualTo(20);
  }

  /**
   * In the middle of the set, a poison message (fails every attempt), a payload that is not JSON
   * (no key), a 900 KB one, one whose first handler call hangs and one whose first call throws an
   * {@link Error}: the poison is tried {@code retry.maxAttempts} times and dead-lettered; the hang
   * is interrupted at {@code handlerTimeout} with a warning and retried, as is the Error; the
   * malformed and the huge one are handled once; and the rest flows, every event once and in order.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"amqp", "kafka", "nsq", "local"})
  void badMessagesAndBadHandlerCallsLeaveTheRestFlowing(String transport) throws Exception {
    BrokerTarget target = BrokerTargets.of(transport, dir);
    String huge = "{\"data\":{\"blob\":\"" + "x".repeat(HUGE_BYTES) + "\"}}";
    FaultScenario scenario =
        FaultScenario.on(target, dir, "bad messages")
            .handler(
                "dev.lanes.samples.FlakyDownstreamHandler",
                """
                flaky.failuresBeforeSuccess = 0
                handlerTimeout = 1s
                retry { maxAttempts = 3, initialDelay = 50ms, multiplier = 1, jitter = 0 }
                """)
            .extra(List.of(POISON, MALFORMED, huge, HANG, ERROR))
            .finishedWhen(
                record -> {
                  List<Recorded.Attempt> attempts = Recorded.attempts(record);
                  return only(attempts, POISON).size() >= 3
                      && only(attempts, MALFORMED).size() >= 1
                      && only(attempts, huge).size() >= 1
                      && only(attempts, HANG).size() >= 2
                      && only(attempts, ERROR).size() >= 2;
                });
    FaultRecord record = scenario.run(Fault.none());
    List<Recorded.Attempt> attempts = Recorded.attempts(scenario.record());
    String output = scenario.output();
    String rest =
        "; rest: %d lost, %d dup, %d reord"
            .formatted(record.lost(), record.duplicates(), record.reorderedKeys());
    CELLS.add(
        cell(
            "poison message",
            transport,
            "%d attempts, %s"
                    .formatted(
                        only(attempts, POISON).size(),
                        output.contains("dead-lettering") ? "dead-lettered" : "NOT dead-lettered")
                + rest));
    CELLS.add(cell("malformed payload", transport, handledTimes(attempts, MALFORMED) + rest));
    CELLS.add(
        cell(
            "huge payload",
            transport,
            "%d KB %s".formatted(HUGE_BYTES / 1000, handledTimes(attempts, huge)) + rest));
    CELLS.add(
        cell(
            "handler hangs",
            transport,
            "%s, %s"
                    .formatted(
                        output.contains("ran past handlerTimeout")
                            ? "interrupted at 1 s, warned"
                            : "NOT interrupted",
                        attemptsText(only(attempts, HANG)))
                + rest));
    CELLS.add(cell("handler throws Error", transport, attemptsText(only(attempts, ERROR)) + rest));

    assertThat(only(attempts, POISON))
        .as("the poison message's attempts")
        .extracting(Recorded.Attempt::attempt, Recorded.Attempt::failed)
        .containsExactly(tuple(1, true), tuple(2, true), tuple(3, true));
    assertThat(output).as("the runner's log").contains("dead-lettering", "ran past handlerTimeout");
    assertThat(only(attempts, HANG))
        .as("the hanging call's attempts")
        .extracting(Recorded.Attempt::attempt, Recorded.Attempt::failed)
        .containsExactly(tuple(1, true), tuple(2, false));
    assertThat(only(attempts, ERROR))
        .as("the Error's attempts")
        .extracting(Recorded.Attempt::attempt, Recorded.Attempt::failed)
        .containsExactly(tuple(1, true), tuple(2, false));
    assertThat(only(attempts, MALFORMED)).as("the malformed payload's attempts").hasSize(1);
    assertThat(only(attempts, huge)).as("the huge payload's attempts").hasSize(1);
    assertThat(record.lost()).as(record.toString()).isZero();
    assertThat(record.duplicates()).as(record.toString()).isZero();
    assertThat(record.reorderedKeys()).as(record.toString()).isZero();
  }

  @AfterAll
  static void writeTable() throws IOException {
    ReliabilityTable.write(List.copyOf(CELLS));
  }

  /**
   * The target of a network fault: the shared broker, behind a proxy of the run's own; Kafka's
   * shared broker advertises itself, past any proxy, so Kafka's is the test's own broker.
   */
  private BrokerTarget cuttable(String transport) throws Exception {
    return cuttable(transport, dir);
  }

  private static BrokerTarget cuttable(String transport, Path dir) throws Exception {
    return transport.equals("kafka")
        ? BrokerTargets.Kafka.on(OWN.kafka(), dir)
        : BrokerTargets.of(transport, dir);
  }

  /** {@code scenario} through the proxy of its {@link #cuttable} target. */
  private static FaultScenario throughProxy(FaultScenario scenario) throws Exception {
    return scenario.transport().equals("kafka")
        ? scenario.throughProxy(OWN.kafka().proxy())
        : scenario.throughProxy();
  }

  private static ReliabilityTable.Cell cell(String fault, String transport, String text) {
    return new ReliabilityTable.Cell(fault, transport, text);
  }

  private static List<Recorded.Attempt> only(List<Recorded.Attempt> attempts, String payload) {
    return attempts.stream().filter(a -> a.payload().equals(payload)).toList();
  }

  private static String handledTimes(List<Recorded.Attempt> attempts, String payload) {
    return "handled %d×"
        .formatted(only(attempts, payload).stream().filter(a -> !a.failed()).count());
  }

  /** E.g. "attempt 1 failed, 2 ok". */
  private static String attemptsText(List<Recorded.Attempt> attempts) {
    return attempts.stream()
        .map(
            a ->
                (a.attempt() == 1 ? "attempt " : "")
                    + a.attempt()
                    + (a.failed() ? " failed" : " ok"))
        .reduce((a, b) -> a + ", " + b)
        .orElse("never tried");
  }

  private static String deadAddress() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return "127.0.0.1:" + socket.getLocalPort();
    }
  }
}
