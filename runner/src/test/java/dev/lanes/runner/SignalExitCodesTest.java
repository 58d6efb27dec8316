package dev.lanes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lanes.runner.ServiceHarness.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM and SIGINT run the graceful stop, and the exit code says how it went, as the README
 * promises: 0 when it stopped cleanly, 1 when work was left unacked. Real child processes on the
 * local transport, in the foreground ({@code runner --task T}) and as the background service
 * ({@code runner serve ENV TASK}, what {@code runner start} launches).
 */
class SignalExitCodesTest {

  private static final Duration EXIT = Duration.ofSeconds(60);

  /** Twenty quick messages, all handled before the signal. */
  private static final String QUICK = "\"ok*20\"";

  /** One lane: three quick messages, then one that sleeps far past the 1 s shutdown deadline. */
  private static final String HANGING = "\"ok*3\", \"sleep:600000\"";

  @TempDir Path dir;

  private String conf(String script) {
    return """
        system {
          transport = local, consumerNum = 1, deliverBy = order_id, http.port = 0
          shutdownTimeout = 1s
        }
        orders {
          handler = dev.lanes.runner.ScriptedHandler
          record.file = "%s"
          local.dataDir = "%s"
          seed { generator = dev.lanes.runner.ScriptedOrders, script = [%s] }
        }
        """
        .formatted(record(), dir.resolve("data"), script);
  }

  private Path record() {
    return dir.resolve("handled.jsonl");
  }

  private RunnerChild foreground(String script) throws IOException {
    return RunnerChild.start(dir.resolve("runner-output.txt"), foregroundArgs(script));
  }

  private String[] foregroundArgs(String script) throws IOException {
    Path file = dir.resolve("tasks.conf");
    Files.writeString(file, conf(script));
    return new String[] {"--task", "orders", "--config", file.toString(), "--progress", "off"};
  }

  /** Waits until the foreground run says it runs (its signal handlers are in place). */
  private static void awaitRunning(RunnerChild runner) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              assertThat(runner.isAlive()).as("the runner runs:\n%s", runner.output()).isTrue();
              return runner.output().contains("task orders: running (pid ");
            });
  }

  private void awaitHandled(RunnerChild runner, int count) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              assertThat(runner.isAlive()).as("the runner runs:\n%s", runner.output()).isTrue();
              return Files.exists(record()) && Files.readAllLines(record()).size() >= count;
            });
  }

  @Test
  void foregroundRunExitsZeroWhenSigtermStopsItCleanly() throws Exception {
    try (RunnerChild runner = foreground(QUICK)) {
      awaitRunning(runner);
      awaitHandled(runner, 20);
      runner.signal("TERM");
      assertThat(runner.exitCode(EXIT)).as(runner.output()).isEqualTo(ExitCodes.OK);
      assertThat(runner.output()).contains("orders: stopped cleanly").contains("acked 20,");
    }
  }

  /**
   * nohup starts the runner with SIGHUP ignored, and the JVM keeps it so: the run cannot reload on
   * SIGHUP and must say so (it said nothing, and a later {@code kill -HUP} did nothing), while
   * SIGTERM still stops it cleanly.
   */
  @Test
  void aRunStartedUnderNohupSaysSighupCannotReloadItAndStillStopsOnSigterm() throws Exception {
    try (RunnerChild runner =
        RunnerChild.startUnderNohup(dir.resolve("runner-output.txt"), foregroundArgs(QUICK))) {
      awaitRunning(runner);
      assertThat(runner.output())
          .contains("SIGHUP is ignored by this process (started under nohup?)")
          .contains("use runner update instead")
          .doesNotContain("SIGTERM is ignored");
      runner.signal("TERM");
      assertThat(runner.exitCode(EXIT)).as(runner.output()).isEqualTo(ExitCodes.OK);
    }
  }

  @Test
  void foregroundRunExitsZeroWhenCtrlCStopsItCleanly() throws Exception {
    try (RunnerChild runner = foreground(QUICK)) {
      awaitRunning(runner);
      awaitHandled(runner, 20);
      runner.signal("INT");
      assertThat(runner.exitCode(EXIT)).as(runner.output()).isEqualTo(ExitCodes.OK);
      assertThat(runner.output()).contains("orders: stopped cleanly").contains("acked 20,");
    }
  }

  @Test
  void foregroundRunExitsOneWhenSigtermLeavesWorkUnacked() throws Exception {
    try (RunnerChild runner = foreground(HANGING)) {
      awaitRunning(runner);
      awaitHandled(runner, 3);
      runner.signal("TERM");
      assertThat(runner.exitCode(EXIT)).as(runner.output()).isEqualTo(ExitCodes.FAILED);
      assertThat(runner.output()).contains("acked 3,").contains("left unacked for redelivery 1");
    }
  }

  private RunnerChild service(ServiceHarness harness, String script) throws IOException {
    harness.writeConf(conf(script));
    Files.createDirectories(harness.runDir);
    RunnerChild runner =
        RunnerChild.start(
            dir.resolve("service-output.txt"),
            "serve",
            ServiceHarness.ENV,
            harness.task,
            "--conf-dir",
            harness.confDir.toString(),
            "--run-dir",
            harness.runDir.toString());
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              assertThat(runner.isAlive()).as("the service runs:\n%s", runner.output()).isTrue();
              Result status = harness.command("status");
              return status.code() == ExitCodes.OK && status.out().contains("state: RUNNING");
            });
    return runner;
  }

  @Test
  void serviceExitsZeroWhenSigtermStopsItCleanly() throws Exception {
    ServiceHarness harness = new ServiceHarness(dir, "orders");
    try (RunnerChild runner = service(harness, QUICK)) {
      awaitHandled(runner, 20);
      runner.signal("TERM");
      assertThat(runner.exitCode(EXIT))
          .as(runner.output() + harness.diagnostics())
          .isEqualTo(ExitCodes.OK);
      assertThat(harness.files().socket()).doesNotExist();
      assertThat(harness.files().pid()).doesNotExist();
      assertThat(harness.logRecords())
          .anySatisfy(
              r ->
                  assertThat(r.path("message").asText())
                      .isEqualTo("development/orders ended: stopped cleanly"));
    }
  }

  @Test
  void serviceExitsOneWhenSigtermLeavesWorkUnacked() throws Exception {
    ServiceHarness harness = new ServiceHarness(dir, "orders");
    try (RunnerChild runner = service(harness, HANGING)) {
      awaitHandled(runner, 3);
      runner.signal("TERM");
      assertThat(runner.exitCode(EXIT))
          .as(runner.output() + harness.diagnostics())
          .isEqualTo(ExitCodes.FAILED);
      assertThat(harness.files().socket()).doesNotExist();
      assertThat(harness.files().pid()).doesNotExist();
      assertThat(harness.alerts("abnormal_stop")).hasSize(1);
    }
  }
}
