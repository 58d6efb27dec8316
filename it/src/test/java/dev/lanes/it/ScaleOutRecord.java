package dev.lanes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The combined record of the scale-out tests' runners: waiting on it while they all live. */
final class ScaleOutRecord {

  private ScaleOutRecord() {}

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

  /** Distinct events (order and sequence number) handled so far. */
  static long distinct(Path record) {
    return Recorded.handledOrderEvents(record).stream()
        .map(h -> h.order() + "/" + h.seq())
        .distinct()
        .count();
  }
}
