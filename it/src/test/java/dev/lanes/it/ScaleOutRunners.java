package dev.lanes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** What the scale-out tests share: their runner processes and the record they append to. */
final class ScaleOutRunners {

  private ScaleOutRunners() {}

  /**
   * Writes {@code dir/scaleout.conf}: task {@code orders} with {@code lanes} lanes of {@code
   * channelLength}, keyed by order id, recording what it handles in {@code record} (2 ms per
   * event), with {@code transportKeys} (its transport's block) added to the task.
   */
  static Path taskFile(Path dir, int lanes, int channelLength, Path record, String transportKeys)
      throws Exception {
    Path tasks = dir.resolve("scaleout.conf");
    Files.writeString(
        tasks,
        """
        system {
          consumerNum = %d
          channelLength = %d
          deliverBy = order_id
          http.port = 0
        }
        orders {
          handler = dev.lanes.samples.RecordingHandler
          record.file = "%s"
          record.delay = 2ms
        %s
        }
        """
            .formatted(lanes, channelLength, record, transportKeys.indent(2).stripTrailing()));
    return tasks;
  }

  /**
   * Runner {@code n} of task {@code orders} in {@code tasks}, in a working directory of its own
   * under {@code dir}, as on a machine of its own, with {@code env} added to its environment.
   */
  static RunnerProcess start(Path dir, int n, String transport, Path tasks, Map<String, String> env)
      throws Exception {
    return RunnerProcess.startNamed(
        Files.createDirectories(dir.resolve("machine-" + n)),
        "runner-" + n,
        null,
        env,
        "--transport=" + transport,
        "--task",
        "orders",
        "--config",
        tasks.toString());
  }

  /** Waits until {@code count} distinct events are handled, failing as soon as a runner dies. */
  static void awaitHandled(Path record, long count, List<RunnerProcess> runners) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              for (RunnerProcess runner : runners) {
                assertThat(runner.isAlive())
                    .as("runner alive; output:\n%s", runner.output())
                    .isTrue();
              }
              return distinct(record) >= count;
            });
  }

  /** Waits up to {@code atMost} until all {@code total} events are handled. */
  static void awaitAll(Path record, long total, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> distinct(record) >= total);
  }

  /** Stops every runner with SIGTERM; each must exit 0. */
  static void terminateAll(List<RunnerProcess> runners) throws InterruptedException {
    for (RunnerProcess runner : runners) {
      assertThat(runner.terminate(Duration.ofSeconds(40)))
          .as("exit code after SIGTERM; output:\n%s", runner.output())
          .isZero();
    }
  }

  /** Distinct events (order and sequence number) handled so far. */
  static long distinct(Path record) {
    return Recorded.handledOrderEvents(record).stream()
        .map(h -> h.order() + "/" + h.seq())
        .distinct()
        .count();
  }
}
