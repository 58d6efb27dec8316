package dev.lanes.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code runner check}: validates a task file without brokers or handlers, for CI. */
class CheckCommandTest {

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int check(String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    String[] all = new String[args.length + 1];
    all[0] = "check";
    System.arraycopy(args, 0, all, 1, args.length);
    return cli.execute(all);
  }

  private Path taskFile(String text) throws IOException {
    Path file = dir.resolve("tasks.conf");
    Files.writeString(file, text);
    return file;
  }

  private List<String> lines() {
    return out.toString().lines().toList();
  }

  @Test
  void aTypoKeyIsAProblemNamingFileLineTaskKeyAndTheClosestKey() throws IOException {
    Path file =
        taskFile(
            """
            system { transport = local }
            orders {
              handler = dev.lanes.samples.OrderEventsHandler
              consumerNumm = 10
            }
            """);

    assertThat(check("--config", file.toString())).as(err.toString()).isEqualTo(2);
    assertThat(lines())
        .containsExactly(
            file + ":4: task 'orders': consumerNumm: unknown key, did you mean consumerNum?");
  }

  @Test
  void anOpenHttpWritePathIsAProblemAndATokenFileIsNotReadByTheCheck() throws IOException {
    Path file =
        taskFile(
            """
            system {
              transport = local
              handler = dev.lanes.samples.OrderEventsHandler
              http.host = "0.0.0.0"
            }
            open { http.publish.enabled = true }
            guarded { http.publish { enabled = true, tokenFile = "/nonexistent/lanes/token" } }
            """);

    assertThat(check("--config", file.toString())).as(err.toString()).isEqualTo(2);
    assertThat(lines())
        .containsExactly(
            file
                + ": task 'open': http.publish.enabled = true on http.host 0.0.0.0, which other"
                + " machines can reach, needs http.publish.token (or tokenFile, or the environment"
                + " variable LANES_PUBLISH_TOKEN), or http.publish.port for a listener of its own"
                + " on 127.0.0.1");
  }

  @Test
  void everyTaskIsCheckedAndEachProblemIsOneLine() throws IOException {
    Path file =
        taskFile(
            """
            system {
              transport = local
              chanelLength = 64
            }
            good { handler = dev.lanes.samples.OrderEventsHandler }
            bad_value { handler = dev.lanes.samples.OrderEventsHandler, consumerNum = 0 }
            no_handler { handler = com.acme.NoSuchHandler }
            no_transport { handler = dev.lanes.samples.OrderEventsHandler, transport = pigeon }
            bad_http { handler = dev.lanes.samples.OrderEventsHandler, http.port = 99999 }
            """);

    assertThat(check("--config", file.toString())).as(err.toString()).isEqualTo(2);
    assertThat(lines())
        .hasSize(5)
        .satisfiesExactly(
            l ->
                assertThat(l)
                    .isEqualTo(
                        file
                            + ":3: system: chanelLength: unknown key, did you mean"
                            + " channelLength?"),
            l ->
                assertThat(l)
                    .startsWith(file + ":9: task 'bad_http': http.port: expected a port number"),
            l ->
                assertThat(l)
                    .startsWith(file + ":6: task 'bad_value': consumerNum: expected an integer"),
            l ->
                assertThat(l)
                    .startsWith(file + ": task 'no_handler': handler class not found:")
                    .contains("com.acme.NoSuchHandler"),
            l ->
                assertThat(l)
                    .startsWith(file + ": task 'no_transport': unknown transport 'pigeon'")
                    .contains("available: ")
                    .contains("local"));
  }

  @Test
  void aTaskWithoutTransportIsAProblem() throws IOException {
    Path file = taskFile("orders { handler = dev.lanes.samples.OrderEventsHandler }\n");

    assertThat(check("--config", file.toString())).isEqualTo(2);
    assertThat(lines()).singleElement().asString().contains("task 'orders': transport is not set");
  }

  @Test
  void aCleanFileExitsZeroWithOneOkLine() throws IOException {
    Path file =
        taskFile(
            """
            system { transport = kafka, kafka.client { linger.ms = 5 } }
            orders {
              handler = dev.lanes.samples.OrderEventsHandler
              downstream.url = "http://127.0.0.1:1"
              seed { generator = dev.lanes.samples.SampleOrders, count = 5, orders = 2 }
            }
            audit { handler = dev.lanes.samples.AuditJournalHandler, audit.journal = a.jsonl }
            """);

    assertThat(check("--config", file.toString())).as(out + "" + err).isEqualTo(0);
    assertThat(lines()).containsExactly(file + ": OK, 2 tasks (audit, orders)");
  }

  @Test
  void taskLimitsTheCheckToOneTaskAndAnUnknownTaskIsAProblem() throws IOException {
    Path file =
        taskFile(
            """
            system { transport = local }
            good { handler = dev.lanes.samples.OrderEventsHandler }
            bad { handler = dev.lanes.samples.OrderEventsHandler, consumerNumm = 3 }
            """);

    assertThat(check("--config", file.toString(), "--task", "good")).isEqualTo(0);
    assertThat(lines()).containsExactly(file + ": OK, 1 task (good)");

    out.getBuffer().setLength(0);
    assertThat(check("--config", file.toString(), "--task", "gone")).isEqualTo(2);
    assertThat(lines()).singleElement().asString().contains("unknown task 'gone'");
  }

  @Test
  void anUnparsableOrMissingFileIsOneProblem() throws IOException {
    assertThat(check("--config", dir.resolve("absent.conf").toString())).isEqualTo(2);
    assertThat(lines()).singleElement().asString().contains("task file not found");

    out.getBuffer().setLength(0);
    Path broken = taskFile("t { consumerNum = \n");
    assertThat(check("--config", broken.toString())).isEqualTo(2);
    assertThat(lines()).singleElement().asString().contains("invalid task file");
  }
}
