package dev.lanes.samples;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.lanes.api.HandlerContext;
import dev.lanes.api.Message;
import dev.lanes.api.MessageHandler;
import dev.lanes.api.Outcome;
import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * The audit sample: appends every message it sees — id, key, headers, timestamp, origin and payload
 * — as one JSON line to {@code audit.journal}, flushed per line. Runs beside the business task as a
 * second subscriber of the same messages (an NSQ channel, a RabbitMQ queue bound to a fanout
 * exchange, a Kafka consumer group); the journal can be fed back through any handler with {@code
 * runner replay}.
 */
public final class AuditJournalHandler implements MessageHandler {

  private static final JsonFactory JSON = new JsonFactory();

  private Writer journal;

  @Override
  public void open(HandlerContext context) throws IOException {
    String file = context.config().getString("audit.journal");
    if (file.isBlank()) {
      throw new IllegalArgumentException("audit.journal is empty; set it to the journal file");
    }
    Path path = Path.of(file);
    if (path.getParent() != null) {
      Files.createDirectories(path.getParent());
    }
    journal =
        Files.newBufferedWriter(
            path, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  @Override
  public Outcome handle(Message message) throws IOException {
    String line = entry(message);
    synchronized (this) {
      journal.write(line);
      journal.flush();
    }
    return Outcome.ack();
  }

  /** One journal line: the fields a replay needs to rebuild the message. */
  static String entry(Message message) throws IOException {
    StringWriter text = new StringWriter();
    try (JsonGenerator json = JSON.createGenerator(text)) {
      json.writeStartObject();
      json.writeStringField("id", message.id());
      json.writeStringField("key", message.key());
      json.writeObjectFieldStart("headers");
      for (Map.Entry<String, String> header : message.headers().entrySet()) {
        json.writeStringField(header.getKey(), header.getValue());
      }
      json.writeEndObject();
      json.writeStringField("timestamp", message.timestamp().toString());
      json.writeStringField("origin", message.origin().destination());
      json.writeStringField("payload", message.payloadAsString());
      json.writeEndObject();
    }
    return text.append('\n').toString();
  }

  @Override
  public synchronized void close() throws IOException {
    if (journal != null) {
      journal.close();
    }
  }
}
