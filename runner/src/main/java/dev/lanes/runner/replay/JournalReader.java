package dev.lanes.runner.replay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.lanes.api.Message;
import dev.lanes.runner.JsonLines;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an audit journal, the file {@code dev.lanes.samples.AuditJournalHandler} writes: one JSON
 * object per line,
 *
 * <pre>{@code {"id": "m-1", "key": "35001" | null, "headers": {"h": "v"},
 *  "timestamp": "2026-01-01T12:00:00Z", "origin": "q.orders", "payload": "{\"data\":...}"}}</pre>
 *
 * <p>Each entry becomes a message with that id, key, headers, timestamp and payload (UTF-8), and
 * attempt 1; {@code origin} is checked but not kept (a replayed message comes from the replay).
 * {@code id}, {@code timestamp} and {@code payload} are required, unknown fields are refused, blank
 * lines are skipped. The whole file is read before anything is returned, so a bad line anywhere
 * means nothing is replayed. Stateless and thread-safe.
 */
public final class JournalReader {

  private static final JsonFactory JSON =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private JournalReader() {}

  /** The journal cannot be replayed: the message names the file and, for a bad entry, its line. */
  public static final class BadJournal extends Exception {
    BadJournal(String message) {
      super(message);
    }
  }

  /** Every entry of {@code file}, in file order. */
  public static List<Message> read(Path file) throws BadJournal {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return JsonLines.read(in, (line, number) -> entry(file, line, number));
    } catch (NoSuchFileException e) {
      throw new BadJournal("journal file not found: " + file);
    } catch (IOException e) {
      throw new BadJournal("cannot read journal " + file + ": " + e);
    }
  }

  private static Message entry(Path file, String line, int number) throws BadJournal {
    try {
      return parse(line);
    } catch (BadEntry e) {
      throw new BadJournal(file + ":" + number + ": malformed journal entry: " + e.getMessage());
    }
  }

  /** One entry; the exception says what is wrong with it. */
  static Message parse(String line) throws BadEntry {
    try (JsonParser parser = JSON.createParser(line)) {
      expect(parser.nextToken() == JsonToken.START_OBJECT, "expected a JSON object");
      Message.Builder message = Message.builder();
      boolean hasId = false;
      boolean hasTimestamp = false;
      boolean hasPayload = false;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        switch (field) {
          case "id" -> {
            message.id(requiredText(parser, value, field));
            hasId = true;
          }
          case "key" ->
              message.key(
                  value == JsonToken.VALUE_NULL ? null : requiredText(parser, value, field));
          case "headers" -> message.headers(headers(parser, value));
          case "timestamp" -> {
            message.timestamp(instant(requiredText(parser, value, field)));
            hasTimestamp = true;
          }
          case "origin" -> requiredText(parser, value, field);
          case "payload" -> {
            message.payload(text(parser, value, field));
            hasPayload = true;
          }
          default -> throw new BadEntry("unknown field '" + field + "'");
        }
      }
      expect(parser.nextToken() == null, "nothing may follow the JSON object");
      expect(hasId, "'id' is required");
      expect(hasTimestamp, "'timestamp' is required");
      expect(hasPayload, "'payload' is required");
      return message.build();
    } catch (JsonParseException e) {
      throw new BadEntry("malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new BadEntry("unreadable: " + e.getMessage());
    }
  }

  private static String text(JsonParser parser, JsonToken value, String field)
      throws IOException, BadEntry {
    expect(value == JsonToken.VALUE_STRING, field + ": expected a string");
    return parser.getText();
  }

  private static String requiredText(JsonParser parser, JsonToken value, String field)
      throws IOException, BadEntry {
    String text = text(parser, value, field);
    expect(!text.isEmpty(), field + ": expected a non-empty string");
    return text;
  }

  private static Map<String, String> headers(JsonParser parser, JsonToken value)
      throws IOException, BadEntry {
    expect(value == JsonToken.START_OBJECT, "headers: expected an object of strings");
    Map<String, String> headers = new HashMap<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      expect(
          parser.nextToken() == JsonToken.VALUE_STRING, "headers." + name + ": expected a string");
      headers.put(name, parser.getText());
    }
    return headers;
  }

  private static Instant instant(String text) throws BadEntry {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new BadEntry(
          "timestamp: expected an ISO-8601 instant such as 2026-01-01T12:00:00Z, got '"
              + text
              + "'");
    }
  }

  private static void expect(boolean condition, String problem) throws BadEntry {
    if (!condition) {
      throw new BadEntry(problem);
    }
  }

  /** What is wrong with one entry, without its location. */
  static final class BadEntry extends Exception {
    BadEntry(String message) {
      super(message);
    }
  }
}
