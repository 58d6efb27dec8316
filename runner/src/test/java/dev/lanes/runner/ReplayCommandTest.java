package dev.lanes.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code runner replay}: journal in, the task's handler through the real dispatcher, exit codes.
 */
class ReplayCommandTest {

  private static final int ORDERS = 5;
  private static final int PER_ORDER = 12;

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int replay(String task, Path journal, Path tasks) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(
        "replay", "--task", task, "--journal", journal.toString(), "--config", tasks.toString());
  }

  /** A task file on a transport no one may touch: replay must run in process whatever it says. */
  private Path tasks() throws IOException {
    Path file = dir.resolve("tasks.conf");
    Files.writeString(
        file,
        """
        system { transport = amqp, amqp.uri = "amqp://nobody:secret@127.0.0.1:1", consumerNum = 4,
                 deliverBy = order_id, http.port = 0 }
        again { handler = dev.lanes.samples.AuditJournalHandler, audit.journal = "%s" }
        flaky {
          handler = dev.lanes.samples.FlakyDownstreamHandler
          flaky.failuresBeforeSuccess = 1
          record.file = "%s"
          retry { maxAttempts = 3, initialDelay = 20ms, multiplier = 2 }
        }
        """
            .formatted(dir.resolve("again.jsonl"), dir.resolve("flaky.jsonl")));
    return file;
  }

  private static String entry(String id, long order, long seq, String extra) {
    return "{\"id\":\""
        + id
        + "\",\"key\":\""
        + order
        + "\",\"headers\":{\"trace\":\"t-"
        + id
        + "\"},"
        + "\"timestamp\":\"2026-03-01T12:00:"
        + String.format("%02d", seq)
        + "Z\",\"origin\":\"q.orders\","
        + "\"payload\":\"{\\\"data\\\":{\\\"order_id\\\":"
        + order
        + ",\\\"seq\\\":"
        + seq
        + extra
        + "}}\"}";
  }

  private Path journal(List<String> lines) throws IOException {
    Path journal = dir.resolve("audit.jsonl");
    Files.write(journal, lines);
    return journal;
  }

  @Test
  void everyEntryIsHandledKeepingIdKeyHeadersTimestampAndPerKeyOrderAndExitsZero()
      throws IOException {
    List<String> lines = new ArrayList<>();
    for (int seq = 1; seq <= PER_ORDER; seq++) {
      for (int order = 0; order < ORDERS; order++) {
        lines.add(entry("m-" + order + "-" + seq, 35000 + order, seq, ""));
      }
    }
    Path journal = journal(lines);

    int code = replay("again", journal, tasks());

    assertThat(code).as(err.toString()).isEqualTo(ExitCodes.OK);
    assertThat(out.toString())
        .contains("replay: again: replayed 60 entries of " + journal)
        .contains("acked 60, dead-lettered 0");
    // the replayed messages journaled again: the same entries, apart from where they came from
    List<Map<String, String>> original = fields(journal);
    List<Map<String, String>> replayed = fields(dir.resolve("again.jsonl"));
    original.forEach(e -> e.remove("origin"));
    replayed.forEach(e -> e.remove("origin"));
    assertThat(replayed).containsExactlyInAnyOrderElementsOf(original);
    Map<String, List<String>> idsByKey = new LinkedHashMap<>();
    replayed.forEach(
        e -> idsByKey.computeIfAbsent(e.get("key"), k -> new ArrayList<>()).add(e.get("id")));
    idsByKey.forEach(
        (key, ids) ->
            assertThat(ids)
                .as("order %s", key)
                .hasSize(PER_ORDER)
                .isSortedAccordingTo((a, b) -> Integer.compare(seq(a), seq(b))));
  }

  @Test
  void deadLettersExitOneWithTheirReasonsCountedAfterTheTasksRetryPolicy() throws IOException {
    List<String> lines = new ArrayList<>();
    for (int order = 0; order < 6; order++) {
      lines.add(entry("ok-" + order, 35000 + order, 1, ""));
    }
    lines.add(entry("poison-1", 36001, 1, ",\\\"poison\\\":true"));
    lines.add(entry("poison-2", 36002, 1, ",\\\"poison\\\":true"));

    int code = replay("flaky", journal(lines), tasks());

    assertThat(code).as(err.toString()).isEqualTo(ExitCodes.FAILED);
    assertThat(out.toString())
        .contains("replayed 8 entries")
        .contains("acked 6, dead-lettered 2")
        .contains(
            "  1  retries exhausted after 3 attempts: dev.lanes.api.DoingFailedException: "
                + "downstream rejects poison message poison-1")
        .contains(
            "  1  retries exhausted after 3 attempts: dev.lanes.api.DoingFailedException: "
                + "downstream rejects poison message poison-2");
    List<String> attempts = Files.readAllLines(dir.resolve("flaky.jsonl"));
    assertThat(attempts)
        .filteredOn(l -> l.contains("\"id\":\"ok-0\""))
        .satisfiesExactly(
            l -> assertThat(l).contains("\"attempt\":1", "\"failed\""),
            l -> assertThat(l).contains("\"attempt\":2").doesNotContain("\"failed\""));
    assertThat(attempts).filteredOn(l -> l.contains("\"id\":\"poison-1\"")).hasSize(3);
  }

  @Test
  void aMalformedLineExitsTwoNamingFileAndLineAndNothingIsHandled() throws IOException {
    Path journal =
        journal(
            List.of(
                entry("a", 1, 1, ""),
                entry("b", 1, 2, ""),
                "{\"id\":\"c\",\"timestamp\":\"2026-03-01T12:00:03Z\"}",
                entry("d", 1, 4, "")));

    int code = replay("again", journal, tasks());

    assertThat(code).isEqualTo(ExitCodes.READY_FAILED);
    assertThat(err.toString().strip())
        .isEqualTo(
            "runner: replay: "
                + journal
                + ":3: malformed journal entry: 'payload' is required; nothing was replayed");
    assertThat(out.toString()).isEmpty();
    assertThat(dir.resolve("again.jsonl")).doesNotExist();
  }

  @Test
  void anUnknownTaskExitsTwoWithOneLine() throws IOException {
    int code = replay("nope", journal(List.of(entry("a", 1, 1, ""))), tasks());

    assertThat(code).isEqualTo(ExitCodes.READY_FAILED);
    assertThat(err.toString().strip())
        .startsWith("runner: ")
        .contains("unknown task 'nope'")
        .doesNotContain("\n");
  }

  private static int seq(String id) {
    return Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
  }

  /** Each journal line as its top-level string fields, with headers as {@code headers.NAME}. */
  private static List<Map<String, String>> fields(Path journal) throws IOException {
    List<Map<String, String>> entries = new ArrayList<>();
    for (String line : Files.readAllLines(journal)) {
      Map<String, String> fields = new LinkedHashMap<>();
      try (JsonParser p = new JsonFactory().createParser(line)) {
        String prefix = "";
        while (p.nextToken() != null) {
          if (p.currentToken() == JsonToken.START_OBJECT && p.currentName() != null) {
            prefix = p.currentName() + ".";
          } else if (p.currentToken() == JsonToken.END_OBJECT) {
            prefix = "";
          } else if (p.currentToken() == JsonToken.VALUE_STRING) {
            fields.put(prefix + p.currentName(), p.getText());
          }
        }
      }
      entries.add(fields);
    }
    return entries;
  }
}
