package dev.lanes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lanes.runner.ServiceHarness.Result;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reloading a running service: an invalid file is rejected and the old config keeps running, live
 * changes apply in place, a new subscription restarts the pipeline, SIGHUP reloads, and SIGTERM
 * stops gracefully and cleans up.
 */
class ServiceReloadTest {

  @TempDir Path dir;

  private ServiceHarness service;

  @AfterEach
  void cleanUp() {
    if (service != null) {
      service.close();
    }
  }

  private static String conf(String settings) {
    return """
        system { transport = memory, deliverBy = order_id, http.port = 0, consumerNum = 4 }
        orders {
          handler = dev.lanes.samples.OrderEventsHandler
          seed { generator = dev.lanes.samples.SampleOrders, count = 200, orders = 10 }
          %s
        }
        """
        .formatted(settings);
  }

  @Test
  void rejectsAnInvalidFileAppliesLiveChangesRestartsOnANewSubscriptionAndReloadsOnSighup()
      throws IOException {
    service = new ServiceHarness(dir, "orders");
    service.writeConf(conf(""));
    Result start = service.command("start");
    assertThat(start.code()).as(start + service.diagnostics()).isZero();
    String http = ServiceHarness.fact(start.out(), "http");
    long pid = service.pid();
    Result again = service.command("start");
    assertThat(again.code()).isEqualTo(ExitCodes.FAILED);
    assertThat(again.err()).contains("development/orders is already running (pid " + pid + ")");

    service.writeConf(conf("consumerNum = -3"));
    Result rejected = service.command("update");
    assertThat(rejected.code()).as(rejected.toString()).isEqualTo(ExitCodes.READY_FAILED);
    assertThat(rejected.err())
        .contains("development.conf:5")
        .contains("consumerNum")
        .contains("expected an integer >= 1")
        .contains("the previous config keeps running");
    assertThat(service.fact("state")).isEqualTo("RUNNING");
    assertThat(service.fact("lanes")).isEqualTo("4");

    service.writeConf(
        conf(
            "channelLength = 64, retry.maxAttempts = 3, alerts.stall = 5s,"
                + " log.levels { \"dev.lanes.dispatch\" = DEBUG }, http.port = 1"));
    Result live =
        ServiceHarness.run(
            "--update",
            ServiceHarness.ENV,
            "orders",
            "--conf-dir",
            service.confDir.toString(),
            "--run-dir",
            service.runDir.toString());
    assertThat(live.code()).as(live.toString()).isZero();
    assertThat(live.out())
        .startsWith("applied live: ")
        .contains("channelLength 1024 -> 64")
        .contains("retry RetrySettings[maxAttempts=5")
        .contains("alerts AlertSettings[")
        .contains("log levels INFO {} -> INFO {dev.lanes.dispatch=DEBUG}")
        .contains("http changed (takes effect at the next start: runner restart)");

    service.writeConf(conf("consumerNum = 2"));
    ProcessBuilder hangup = new ProcessBuilder("kill", "-HUP", Long.toString(pid)).inheritIO();
    assertThat(waitFor(hangup)).isZero();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(service.fact("lanes"))
                    .as("lanes after SIGHUP; the service said:\n%s", service.diagnostics())
                    .isEqualTo("2"));

    service.writeConf(conf("consumerNum = 2, memory.queue = orders-elsewhere"));
    Result restarted = service.command("update");
    assertThat(restarted.code()).as(restarted.toString()).isZero();
    assertThat(restarted.out())
        .contains("restarted the pipeline")
        .contains("previous one stopped cleanly")
        .contains("memory settings changed");
    assertThat(service.fact("state")).isEqualTo("RUNNING");
    assertThat(service.get(http, "/metrics").body())
        .contains("messaging_destination_name=\"orders-elsewhere\"")
        .doesNotContain("messaging_destination_name=\"orders\"");
    assertThat(service.get(http, "/health/ready").statusCode()).isEqualTo(200);

    service.writeConf(
        conf(
            "transport = kafka, kafka { bootstrap = \"127.0.0.1:1\", topic = t, group = g,"
                + " connectTimeout = 1s }"));
    Result unreachable = service.command("update");
    assertThat(unreachable.code()).as(unreachable.toString()).isEqualTo(ExitCodes.READY_FAILED);
    assertThat(unreachable.err())
        .contains("update rejected: the new pipeline could not start")
        .contains("the previous config runs again");
    assertThat(service.fact("state")).isEqualTo("RUNNING");
    assertThat(service.fact("transport")).isEqualTo("memory (memory)");
    assertThat(service.fact("lanes")).isEqualTo("2");

    ProcessHandle.of(pid).orElseThrow().destroy(); // SIGTERM
    service.awaitExit(pid);
    assertThat(service.files().socket()).doesNotExist();
    assertThat(service.files().pid()).doesNotExist();
    assertThat(service.logRecords())
        .anySatisfy(
            r ->
                assertThat(r.path("message").asText())
                    .matches(
                        "task orders: stopped cleanly in \\d+ ms \\(finished \\d+, released \\d+,"
                            + " abandoned 0; stopMode \\S+\\)"));
  }

  private static int waitFor(ProcessBuilder command) throws IOException {
    try {
      return command.start().waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
