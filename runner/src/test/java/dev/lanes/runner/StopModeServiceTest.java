package dev.lanes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lanes.runner.ServiceHarness.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A busy service with a slow handler on the local queue (default stop mode {@code finish-running}):
 * an {@code update} that restarts the pipeline and a {@code stop} both wait only for the calls
 * running, release what is queued, and say how many were finished, released and abandoned; {@code
 * status} shows the mode and the last pipeline stop.
 */
class StopModeServiceTest {

  private static final Pattern COUNTS =
      Pattern.compile("finished (\\d+), released (\\d+), abandoned (\\d+)");

  @TempDir Path dir;

  private ServiceHarness service;

  @AfterEach
  void cleanUp() {
    if (service != null) {
      service.close();
    }
  }

  /** The task file; a new {@code delay} (a handler setting) restarts the pipeline. */
  private String conf(String delay) {
    return """
        system { transport = local, deliverBy = order_id, http.port = 0, consumerNum = 2 }
        orders {
          local { dataDir = "%s", queue = orders }
          handler = dev.lanes.samples.RecordingHandler
          record { file = "%s", delay = %s }
          seed { generator = dev.lanes.samples.SampleOrders, count = 200, orders = 10 }
        }
        """
        .formatted(dir.resolve("data"), dir.resolve("handled.jsonl"), delay);
  }

  @Test
  void aPipelineRestartAndAStopWaitOnlyForTheRunningCallsAndReleaseTheQueue() throws IOException {
    service = new ServiceHarness(dir, "orders");
    service.writeConf(conf("1s"));
    Result start = service.command("start");
    assertThat(start.code()).as(start + service.diagnostics()).isZero();
    assertThat(service.fact("stop mode")).isEqualTo("finish-running");
    awaitHandled(2);

    service.writeConf(conf("1001ms"));
    long before = System.nanoTime();
    Result restarted = service.command("update");
    long restartMillis = Duration.ofNanos(System.nanoTime() - before).toMillis();
    assertThat(restarted.code()).as(restarted.toString()).isZero();
    assertThat(restarted.out()).contains("restarted the pipeline", "previous one stopped cleanly");
    int[] counts = counts(restarted.out());
    assertThat(counts[1]).as("released by the restart: %s", restarted.out()).isGreaterThan(100);
    assertThat(counts[2]).as("abandoned").isZero();
    assertThat(restartMillis).as("update with a 1 s handler, ms").isLessThan(1_000 + 3_000);
    assertThat(service.fact("last pipeline stop")).contains("released " + counts[1]);

    awaitHandled(counts[0] + 4L);
    before = System.nanoTime();
    Result stopped = service.command("stop");
    long stopMillis = Duration.ofNanos(System.nanoTime() - before).toMillis();
    assertThat(stopped.code()).as(stopped.toString()).isZero();
    assertThat(stopped.out()).contains("stopped cleanly");
    assertThat(counts(stopped.out())[1]).as("released by the stop: %s", stopped.out()).isPositive();
    assertThat(stopMillis).as("stop with a 1 s handler, ms").isLessThan(1_000 + 3_000);
  }

  private static int[] counts(String text) {
    Matcher m = COUNTS.matcher(text);
    assertThat(m.find()).as("stop counts in: %s", text).isTrue();
    return new int[] {
      Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))
    };
  }

  private void awaitHandled(long lines) {
    Path record = dir.resolve("handled.jsonl");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Files.exists(record) && Files.readAllLines(record).size() >= lines);
  }
}
