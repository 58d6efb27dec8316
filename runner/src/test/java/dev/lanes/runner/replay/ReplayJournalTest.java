package dev.lanes.runner.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lanes.api.Message;
import dev.lanes.runner.replay.JournalReader.BadEntry;
import dev.lanes.runner.replay.JournalReader.BadJournal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReplayJournalTest {

  private static final String ENTRY =
      "{\"id\":\"m-1\",\"key\":\"35001\",\"headers\":{\"trace\":\"t-9\","
          + "\"lanes-reason\":\"boom\"},\"timestamp\":\"2026-03-01T12:00:00.250Z\",\"origin\":\"q.orders\","
          + "\"payload\":\"{\\\"data\\\":{\\\"order_id\\\":35001,\\\"seq\\\":2}}\"}";

  @TempDir Path dir;

  @Test
  void anEntryBecomesAMessageWithItsIdKeyHeadersTimestampAndPayloadAtAttemptOne() throws Exception {
    Message message = JournalReader.parse(ENTRY);

    assertThat(message.id()).isEqualTo("m-1");
    assertThat(message.key()).isEqualTo("35001");
    assertThat(message.headers()).isEqualTo(Map.of("trace", "t-9", "lanes-reason", "boom"));
    assertThat(message.timestamp()).isEqualTo(Instant.parse("2026-03-01T12:00:00.250Z"));
    assertThat(message.payloadAsString()).isEqualTo("{\"data\":{\"order_id\":35001,\"seq\":2}}");
    assertThat(message.field("order_id")).contains(35001L);
    assertThat(message.attempt()).isEqualTo(1);
  }

  @Test
  void readsEveryEntryInFileOrderSkippingBlankLinesAndAcceptingANullKey() throws Exception {
    Path journal = dir.resolve("audit.jsonl");
    Files.write(
        journal,
        List.of(
            ENTRY,
            "",
            "{\"id\":\"m-2\",\"key\":null,\"headers\":{},\"timestamp\":\"2026-03-01T12:00:01Z\",\"origin\":\"q\",\"payload\":\"plain text\"}",
            "   "));

    List<Message> entries = JournalReader.read(journal);

    assertThat(entries).extracting(Message::id).containsExactly("m-1", "m-2");
    assertThat(entries.get(1).key()).isNull();
    assertThat(entries.get(1).payloadAsString()).isEqualTo("plain text");
  }

  @Test
  void aMalformedLineNamesTheFileAndItsLineNumber() throws Exception {
    Path journal = dir.resolve("audit.jsonl");
    Files.write(journal, List.of(ENTRY, "", ENTRY.replace("m-1", "m-3"), "{\"id\":\"m-4\",\"payl"));

    assertThatThrownBy(() -> JournalReader.read(journal))
        .isInstanceOf(BadJournal.class)
        .hasMessage(
            journal
                + ":4: malformed journal entry: malformed JSON: Unexpected end-of-input in field name");
  }

  @Test
  void aMissingJournalIsNamed() {
    Path journal = dir.resolve("nowhere.jsonl");

    assertThatThrownBy(() -> JournalReader.read(journal))
        .isInstanceOf(BadJournal.class)
        .hasMessage("journal file not found: " + journal);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "[1]                                                        | expected a JSON object",
        "{\"timestamp\":\"2026-03-01T12:00:00Z\",\"payload\":\"x\"}   | 'id' is required",
        "{\"id\":\"m\",\"payload\":\"x\"}                             | 'timestamp' is required",
        "{\"id\":\"m\",\"timestamp\":\"2026-03-01T12:00:00Z\"}        | 'payload' is required",
        "{\"id\":\"\",\"timestamp\":\"2026-03-01T12:00:00Z\",\"payload\":\"x\"} | id: expected a non-empty string",
        "{\"id\":7,\"timestamp\":\"2026-03-01T12:00:00Z\",\"payload\":\"x\"}   | id: expected a string",
        "{\"id\":\"m\",\"timestamp\":\"yesterday\",\"payload\":\"x\"}  | timestamp: expected an ISO-8601 instant",
        "{\"id\":\"m\",\"timestamp\":\"2026-03-01T12:00:00Z\",\"payload\":{\"a\":1}} | payload: expected a string",
        "{\"id\":\"m\",\"headers\":{\"h\":1},\"timestamp\":\"2026-03-01T12:00:00Z\",\"payload\":\"x\"} | headers.h: expected a string",
        "{\"id\":\"m\",\"headers\":[],\"timestamp\":\"2026-03-01T12:00:00Z\",\"payload\":\"x\"} | headers: expected an object of strings",
        "{\"id\":\"m\",\"attempt\":3,\"timestamp\":\"2026-03-01T12:00:00Z\",\"payload\":\"x\"} | unknown field 'attempt'",
        "{\"id\":\"m\",\"id\":\"n\",\"timestamp\":\"2026-03-01T12:00:00Z\",\"payload\":\"x\"} | malformed JSON: Duplicate field 'id'",
        "{\"id\":\"m\",\"timestamp\":\"2026-03-01T12:00:00Z\",\"payload\":\"x\"} {}  | nothing may follow the JSON object",
      })
  void aBadEntrySaysWhatIsWrong(String line, String problem) {
    assertThatThrownBy(() -> JournalReader.parse(line))
        .isInstanceOf(BadEntry.class)
        .hasMessageContaining(problem);
  }
}
