package dev.lanes.it;

import static org.assertj.core.api.Assertions.assertThat;

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
   * restored: the runner reconnects by itself and finishes, losing nothing. Kafka is left out: its
   * client reconnects to the advertised listener, past the proxy.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"amqp", "nsq"})
  void connectionCutAndRestoredLosesNothing(String transport) throws Exception {
    BrokerTarget target = BrokerTargets.of(transport, dir);
    FaultRecord record =
        FaultScenario.on(target, dir, "connection cut and restored")
            .throughProxy()
            .run(Fault.connectionCut(3000));
    CELLS.add(record.cell());
    assertThat(record.kept(target.keepsOrderAcrossCrash())).as(record.toString()).isTrue();
  }

  /**
   * Nothing listens where the broker should be: the runner exits 2 with one line on stderr, within
   * its connect timeout, and handles nothing of what waits on the real broker.
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
            "exit %d after %.1f s, %d handled"
                .formatted(exit, millis / 1e3, Recorded.count(record))));
    assertThat(exit).as("exit code; output:%n%s", output).isEqualTo(2);
    assertThat(Recorded.count(record)).as("messages handled").isZero();
  }

  @AfterAll
  static void writeTable() throws IOException {
    ReliabilityTable.write(List.copyOf(CELLS));
  }

  private static String deadAddress() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return "127.0.0.1:" + socket.getLocalPort();
    }
  }
}
