package dev.lanes.runner;

import dev.lanes.api.HandlerContext;
import dev.lanes.api.Message;
import dev.lanes.api.MessageHandler;
import dev.lanes.api.Outcome;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * A handler for runner tests, run inside the service process. Does what a message's {@code
 * data.action} says ({@code fail}: throw; {@code sleep:MILLIS}: sleep that long; otherwise sleep
 * {@code script.work}), then, when {@code record.file} is set, appends {@code
 * {"order":..,"seq":..,"lane":..,"attempt":..}} to it.
 */
public final class ScriptedHandler implements MessageHandler {

  private HandlerContext context;
  private long workNanos;
  private Writer record;

  @Override
  public void open(HandlerContext context) throws IOException {
    this.context = context;
    this.workNanos =
        context.config().hasPath("script.work")
            ? context.config().getDuration("script.work").toNanos()
            : 0;
    String file = context.config().getString("record.file");
    if (!file.isBlank()) {
      record =
          Files.newBufferedWriter(
              Path.of(file),
              StandardCharsets.UTF_8,
              StandardOpenOption.CREATE,
              StandardOpenOption.APPEND);
    }
  }

  @Override
  public Outcome handle(Message message) throws Exception {
    String action = message.field("action").map(Object::toString).orElse("ok");
    if (action.equals("fail")) {
      throw new IllegalStateException("scripted failure");
    } else if (action.startsWith("sleep:")) {
      TimeUnit.MILLISECONDS.sleep(Long.parseLong(action.substring("sleep:".length())));
    } else if (workNanos > 0) {
      TimeUnit.NANOSECONDS.sleep(workNanos);
    }
    if (record != null) {
      String line =
          "{\"order\":"
              + message.field("order_id").orElse(-1)
              + ",\"seq\":"
              + message.field("seq").orElse(-1)
              + ",\"lane\":"
              + context.currentLane()
              + ",\"attempt\":"
              + message.attempt()
              + "}\n";
      synchronized (this) {
        record.write(line);
        record.flush();
      }
    }
    return Outcome.ack();
  }

  @Override
  public synchronized void close() throws IOException {
    if (record != null) {
      record.close();
    }
  }
}
