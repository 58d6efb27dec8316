package dev.lanes.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Reads the JSON lines written by the samples' RecordingHandler. */
final class Recorded {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Recorded() {}

  /** The handled payloads, parsed, in the order they were recorded. */
  static List<JsonNode> payloads(Path file) {
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      List<JsonNode> payloads = new ArrayList<>();
      for (String line : completeLines(file)) {
        if (!line.isBlank()) {
          payloads.add(JSON.readTree(JSON.readTree(line).get("payload").asText()));
        }
      }
      return payloads;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One handled order event: its order, its sequence number and the attempt that handled it. */
  record Handled(long order, long seq, int attempt) {}

  /** The handled order events, in the order they were recorded. */
  static List<Handled> handled(Path file) {
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      List<Handled> handled = new ArrayList<>();
      for (String line : completeLines(file)) {
        if (!line.isBlank()) {
          JsonNode record = JSON.readTree(line);
          JsonNode data = JSON.readTree(record.get("payload").asText()).get("data");
          handled.add(
              new Handled(
                  data.get("order_id").asLong(),
                  data.get("seq").asLong(),
                  record.get("attempt").asInt()));
        }
      }
      return handled;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The order events handled successfully, in the order they were recorded: attempts recorded as
   * failed and payloads that are not order events (malformed, huge, poison) are left out.
   */
  static List<Handled> handledOrderEvents(Path file) {
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      List<Handled> handled = new ArrayList<>();
      for (String line : completeLines(file)) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode record = JSON.readTree(line);
        if (record.has("failed")) {
          continue;
        }
        JsonNode data = orderData(record.get("payload").asText());
        if (data != null) {
          handled.add(
              new Handled(
                  data.get("order_id").asLong(),
                  data.get("seq").asLong(),
                  record.get("attempt").asInt()));
        }
      }
      return handled;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The order events among {@code payloads}, in their order, as first attempts. */
  static List<Handled> orderEventsIn(List<String> payloads) {
    List<Handled> events = new ArrayList<>();
    for (String payload : payloads) {
      JsonNode data = orderData(payload);
      if (data != null) {
        events.add(new Handled(data.get("order_id").asLong(), data.get("seq").asLong(), 1));
      }
    }
    return events;
  }

  /**
   * The lines of a record the runner may still be writing (or was killed while writing): a last
   * line without its newline is not complete yet and is left out.
   */
  private static List<String> completeLines(Path file) throws IOException {
    String text = Files.readString(file);
    int end = text.lastIndexOf('\n');
    return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n", -1));
  }

  private static JsonNode orderData(String payload) {
    try {
      JsonNode data = JSON.readTree(payload).path("data");
      return data.has("order_id") && data.has("seq") ? data : null;
    } catch (IOException notJson) {
      return null;
    }
  }

  /** One recorded attempt: its payload, attempt number and whether the handler failed it. */
  record Attempt(String payload, int attempt, boolean failed) {}

  /** Every recorded attempt, in the order recorded, whatever its payload. */
  static List<Attempt> attempts(Path file) {
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      List<Attempt> attempts = new ArrayList<>();
      for (String line : completeLines(file)) {
        if (!line.isBlank()) {
          JsonNode record = JSON.readTree(line);
          attempts.add(
              new Attempt(
                  record.get("payload").asText(),
                  record.get("attempt").asInt(),
                  record.has("failed")));
        }
      }
      return attempts;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** How many messages were recorded so far (lines, without parsing them). */
  static long count(Path file) {
    if (!Files.exists(file)) {
      return 0;
    }
    try (Stream<String> lines = Files.lines(file)) {
      return lines.filter(line -> !line.isBlank()).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The {@code seq} of each order's events, in handling order. */
  static Map<Long, List<Long>> seqsByOrder(Path file) {
    Map<Long, List<Long>> byOrder = new LinkedHashMap<>();
    for (JsonNode payload : payloads(file)) {
      JsonNode data = payload.get("data");
      byOrder
          .computeIfAbsent(data.get("order_id").asLong(), k -> new ArrayList<>())
          .add(data.get("seq").asLong());
    }
    return byOrder;
  }

  /** {@code orders × perOrder} order events as JSON lines, interleaved by order. */
  static List<String> orderEvents(int orders, int perOrder) {
    List<String> lines = new ArrayList<>();
    for (int seq = 1; seq <= perOrder; seq++) {
      for (int order = 0; order < orders; order++) {
        lines.add(
            "{\"type\":\"order.updated\",\"data\":{\"order_id\":"
                + (35000 + order)
                + ",\"seq\":"
                + seq
                + "}}");
      }
    }
    return lines;
  }
}
