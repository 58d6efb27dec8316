package dev.lanes.runner;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.lanes.runner.service.TaskService;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

class RunCommandTest {

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  private Path taskFile(String text) throws IOException {
    Path file = dir.resolve("tasks.conf");
    // tasks run on memory unless they say otherwise (a task's own transport wins over system)
    Files.writeString(file, text + "\nsystem { transport = memory, http.port = 0 }\n");
    return file;
  }

  @Test
  void runsTheSeededDemoToCompletionAndExitsZero() throws IOException {
    Path record = dir.resolve("handled.jsonl");
    Path file =
        taskFile(
            """
        system { transport = memory, consumerNum = 4, deliverBy = order_id }
        demo {
          handler = dev.lanes.samples.RecordingHandler
          record.file = "%s"
          memory.queue = "runner-demo-test"
          seed { generator = dev.lanes.samples.SampleOrders, count = 300, orders = 30 }
          exitWhenIdle = 300ms
        }
        """
                .formatted(record));

    int code = run("--task", "demo", "--config", file.toString());

    assertThat(code).as(err.toString()).isEqualTo(ExitCodes.OK);
    assertThat(out.toString())
        .contains("demo: stopped cleanly")
        .contains("received 300, acked 300");
    List<String> lines = Files.readAllLines(record);
    assertThat(lines).hasSize(300);
    assertThat(lines)
        .allSatisfy(l -> assertThat(l).contains("\"attempt\":1").containsPattern("\"lane\":[0-3]"));
  }

  @Test
  void transportFlagOverridesTheFile() throws IOException {
    Path file =
        taskFile(
            "t { transport = kafka-that-does-not-exist, handler = dev.lanes.samples.OrderEventsHandler,"
                + " exitWhenIdle = 200ms, memory.queue = override-test }");

    assertThat(run("--task", "t", "--transport", "memory", "--config", file.toString()))
        .as(err.toString())
        .isEqualTo(ExitCodes.OK);
  }

  @Test
  void unknownTaskIsReadyFailedListingTheTasks() throws IOException {
    Path file =
        taskFile("system { consumerNum = 2 }\nalpha { handler = x }\nbeta { handler = y }\n");

    assertThat(run("--task", "gamma", "--config", file.toString()))
        .isEqualTo(ExitCodes.READY_FAILED);
    assertThat(oneLineError()).contains("unknown task 'gamma'").contains("[alpha, beta]");
  }

  @Test
  void unknownTransportIsReadyFailedListingTheAvailableOnes() throws IOException {
    Path file =
        taskFile(
            "t { handler = dev.lanes.samples.OrderEventsHandler, transport = carrier-pigeon }");

    assertThat(run("--task", "t", "--config", file.toString())).isEqualTo(ExitCodes.READY_FAILED);
    assertThat(oneLineError())
        .contains("unknown transport 'carrier-pigeon'")
        .contains("available: ")
        .contains("memory");
  }

  @Test
  void missingHandlerClassIsReadyFailedNamingIt() throws IOException {
    Path file = taskFile("t { handler = com.acme.NoSuchHandler }");

    assertThat(run("--task", "t", "--config", file.toString())).isEqualTo(ExitCodes.READY_FAILED);
    assertThat(oneLineError())
        .contains("handler class not found: com.acme.NoSuchHandler")
        .contains("tasks.conf");
  }

  @Test
  void invalidValueIsReadyFailedNamingFileLineAndKey() throws IOException {
    Path file =
        taskFile("t {\n  handler = dev.lanes.samples.OrderEventsHandler\n  consumerNum = -3\n}\n");

    assertThat(run("--task", "t", "--config", file.toString())).isEqualTo(ExitCodes.READY_FAILED);
    assertThat(oneLineError())
        .contains("tasks.conf:3")
        .contains("consumerNum")
        .contains("expected an integer >= 1");
  }

  @Test
  void missingOrUnparsableFileIsReadyFailed() throws IOException {
    assertThat(run("--task", "t", "--config", dir.resolve("absent.conf").toString()))
        .isEqualTo(ExitCodes.READY_FAILED);
    assertThat(oneLineError()).contains("task file not found");

    err.getBuffer().setLength(0);
    Path broken = taskFile("t { consumerNum = \n");
    assertThat(run("--task", "t", "--config", broken.toString())).isEqualTo(ExitCodes.READY_FAILED);
    assertThat(oneLineError()).contains("invalid task file");
  }

  @Test
  void handlerThatFailsToOpenIsReadyFailed() throws IOException {
    Path file =
        taskFile("t { handler = dev.lanes.samples.RecordingHandler, memory.queue = open-fails }");

    assertThat(run("--task", "t", "--config", file.toString())).isEqualTo(ExitCodes.READY_FAILED);
    assertThat(oneLineError())
        .contains("dev.lanes.samples.RecordingHandler failed to open")
        .contains("record.file");
  }

  @Test
  void aBusyHttpPortIsReadyFailedNamingTheKey() throws IOException {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path file =
          taskFile(
              "t { handler = dev.lanes.samples.OrderEventsHandler, memory.queue = busy-port,"
                  + " http.port = "
                  + busy.getLocalPort()
                  + " }");

      assertThat(run("--task", "t", "--config", file.toString())).isEqualTo(ExitCodes.READY_FAILED);
      assertThat(oneLineError())
          .contains("cannot listen on http 127.0.0.1:" + busy.getLocalPort())
          .contains("set http.port to a free port (0 = any), or http.enabled = false");
    }
  }

  @Test
  void runsWithoutHttpServerWhenDisabled() throws IOException {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path file =
          taskFile(
              "t { handler = dev.lanes.samples.OrderEventsHandler, memory.queue = no-http,"
                  + " exitWhenIdle = 200ms, http { enabled = false, port = "
                  + busy.getLocalPort()
                  + " } }");

      assertThat(run("--task", "t", "--config", file.toString()))
          .as(err.toString())
          .isEqualTo(ExitCodes.OK);
    }
  }

  @Test
  void aTypoKeyIsWarnedAtStartNamingFileLineTaskAndTheClosestKey() throws IOException {
    Path file =
        taskFile(
            "t {\n  transport = memory\n  handler = dev.lanes.samples.OrderEventsHandler\n"
                + "  consumerNumm = 3\n  exitWhenIdle = 200ms\n  memory.queue = typo-warn\n}");
    Logger logger = (Logger) LoggerFactory.getLogger(TaskService.class);
    ListAppender<ILoggingEvent> records = new ListAppender<>();
    records.start();
    logger.addAppender(records);
    try {
      assertThat(run("--task", "t", "--config", file.toString()))
          .as(err.toString())
          .isEqualTo(ExitCodes.OK);
    } finally {
      logger.detachAppender(records);
    }

    assertThat(records.list)
        .filteredOn(e -> e.getLevel() == Level.WARN)
        .extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly(
            file
                + ":4: task 't': consumerNumm: unknown key, did you mean consumerNum?"
                + " (check the file with `runner check`)");
  }

  @Test
  void aTaskFileWithoutTransportIsReadyFailedInsteadOfRunningInMemory() throws IOException {
    Path file = dir.resolve("no-transport.conf").toAbsolutePath().normalize();
    Files.writeString(
        file,
        "t { handler = dev.lanes.samples.OrderEventsHandler, exitWhenIdle = 200ms,"
            + " http.enabled = false }\n");

    assertThat(run("--task", "t", "--config", file.toString())).isEqualTo(ExitCodes.READY_FAILED);
    assertThat(oneLineError())
        .contains("no-transport.conf: task 't': transport is not set")
        .contains("local");
  }

  private String oneLineError() {
    List<String> lines = err.toString().lines().filter(l -> l.startsWith("runner:")).toList();
    assertThat(lines).hasSize(1);
    return lines.get(0);
  }
}
