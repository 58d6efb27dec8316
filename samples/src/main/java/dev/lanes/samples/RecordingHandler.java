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
import java.util.concurrent.TimeUnit;

/**
 * Appends one JSON line per handled message ({@code key}, {@code lane}, {@code attempt}, {@code
 * id}, {@code payload} as a string, and {@code at}, the epoch milliseconds it was handled) to the
 * file named by config {@code record.file}, flushed per line. Used by tests and demos to check what
 * was handled, where, when and in which order. Config {@code record.delay} (default 0) is a pause
 * before each message is recorded, simulated work that slows a run down, e.g. so a test can stop it
 * mid-stream.
 */
public final class RecordingHandler implements MessageHandler {

  private static final JsonFactory JSON = new JsonFactory();

  private HandlerContext context;
  private Writer out;
  private long delayNanos;

  @Override
  public void open(HandlerContext context) throws IOException {
    String file = context.config().getString("record.file");
    if (file.isBlank()) {
      throw new IllegalArgumentException("record.file is empty; set it to the file to record to");
    }
    Path path = Path.of(file);
    if (path.getParent() != null) {
      Files.createDirectories(path.getParent());
    }
    this.context = context;
    this.delayNanos = context.config().getDuration("record.delay").toNanos();
    this.out =
        Files.newBufferedWriter(
            path, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  @Override
  public Outcome handle(Message message) throws IOException, InterruptedException {
    if (delayNanos > 0) {
      TimeUnit.NANOSECONDS.sleep(delayNanos);
    }
    record(message, null);
    return Outcome.ack();
  }

  /**
   * Appends the line of one attempt; {@code failure}, when not null, is recorded as {@code failed}.
   */
  void record(Message message, String failure) throws IOException {
    String line = line(message, context.currentLane(), failure);
    synchronized (this) {
      out.write(line);
      out.flush();
    }
  }

  static String line(Message message, int lane, String failure) throws IOException {
    StringWriter text = new StringWriter();
    try (JsonGenerator json = JSON.createGenerator(text)) {
      json.writeStartObject();
      json.writeStringField("key", message.key());
      json.writeNumberField("lane", lane);
      json.writeNumberField("attempt", message.attempt());
      json.writeStringField("id", message.id());
      json.writeStringField("payload", message.payloadAsString());
      json.writeNumberField("at", System.currentTimeMillis());
      if (failure != null) {
        json.writeStringField("failed", failure);
      }
      json.writeEndObject();
    }
    return text.append('\n').toString();
  }

  @Override
  public synchronized void close() throws IOException {
    if (out != null) {
      out.close();
    }
  }
}
