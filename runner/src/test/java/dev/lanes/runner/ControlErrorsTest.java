package dev.lanes.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.runner.ServiceHarness.Result;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the control commands say when there is no service, a stale one, or a bad start. */
class ControlErrorsTest {

  @TempDir Path dir;

  @Test
  void statusStopAndUpdateSayNoServiceIsRunning() {
    ServiceHarness service = new ServiceHarness(dir, "orders");
    for (String command : new String[] {"status", "stop", "update"}) {
      Result result = service.command(command);
      assertThat(result.code()).as(command + ": " + result).isEqualTo(ExitCodes.NOT_RUNNING);
      assertThat(result.err())
          .startsWith("runner: no service running for development/orders (nothing in ");
    }
    Result flag =
        ServiceHarness.run(
            "--status", "development", "orders", "--run-dir", service.runDir.toString());
    assertThat(flag.code()).as(flag.toString()).isEqualTo(ExitCodes.NOT_RUNNING);
  }

  @Test
  void aStaleSocketAndPidFileAreReportedAndRemoved() throws IOException {
    ServiceHarness service = new ServiceHarness(dir, "orders");
    Files.createDirectories(service.runDir);
    Path socket = service.files().socket();
    try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      dead.bind(UnixDomainSocketAddress.of(socket)); // closed below without removing the file
    }
    Process gone = new ProcessBuilder("true").start();
    waitFor(gone);
    Files.writeString(service.files().pid(), gone.pid() + "\n");

    Result status = service.command("status");

    assertThat(status.code()).as(status.toString()).isEqualTo(ExitCodes.NOT_RUNNING);
    assertThat(status.err())
        .contains("no service running for development/orders")
        .contains("removed stale pid file")
        .contains("(pid " + gone.pid() + " is gone)")
        .contains("control socket " + socket);
    assertThat(socket).doesNotExist();
    assertThat(service.files().pid()).doesNotExist();
  }

  @Test
  void startWithoutATaskFileIsReadyFailed() {
    ServiceHarness service = new ServiceHarness(dir, "orders");
    Result start = service.command("start");
    assertThat(start.code()).isEqualTo(ExitCodes.READY_FAILED);
    assertThat(start.err())
        .contains("task file not found: " + service.confDir.resolve("development.conf"));
  }

  @Test
  void aServiceThatCannotStartReportsItsOneLineReasonAndLeavesNoFiles() {
    ServiceHarness service = new ServiceHarness(dir, "orders");
    service.writeConf(
        "orders {\n  handler = dev.lanes.samples.OrderEventsHandler\n  channelLength = 0\n}\n");

    Result start = service.command("start");

    assertThat(start.code()).as(start.toString()).isEqualTo(ExitCodes.READY_FAILED);
    assertThat(start.err().lines().toList())
        .singleElement()
        .asString()
        .contains("development.conf:3")
        .contains("channelLength")
        .contains("expected an integer >= 1");
    assertThat(service.files().pid()).doesNotExist();
    assertThat(service.files().socket()).doesNotExist();
  }

  @Test
  void startWarnsOnTheTerminalAboutTypoKeysBeforeTheServiceReportsItsReason() {
    ServiceHarness service = new ServiceHarness(dir, "orders");
    service.writeConf(
        "system { transport = memory }\norders {\n  handler = dev.lanes.samples.OrderEventsHandler\n"
            + "  retry.maxAtempts = 3\n  channelLength = 0\n}\n");

    Result start = service.command("start");

    assertThat(start.code()).as(start.toString()).isEqualTo(ExitCodes.READY_FAILED);
    assertThat(start.err().lines().toList())
        .hasSize(2)
        .satisfiesExactly(
            warning ->
                assertThat(warning)
                    .isEqualTo(
                        "runner: warning: "
                            + service.confDir.resolve("development.conf")
                            + ":4: task 'orders': retry.maxAtempts: unknown key, did you mean"
                            + " retry.maxAttempts?"),
            reason -> assertThat(reason).contains("development.conf:5").contains("channelLength"));
  }

  @Test
  void namesThatCannotBeFileNamesAreRefused() {
    Result result = ServiceHarness.run("status", "../etc", "orders", "--run-dir", dir.toString());
    assertThat(result.code()).isEqualTo(ExitCodes.READY_FAILED);
    assertThat(result.err()).contains("'../etc' is not a usable ENV or TASK name");
  }

  @Test
  void controlFlagsAndTaskAreExclusive() {
    Result result = ServiceHarness.run("--task", "t", "--status", "development", "orders");
    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err()).contains("give one control flag");
  }

  private static void waitFor(Process process) {
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
