package com.example.lanes;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An example plugin handler: appends {@code <order_id> <seq> <attempt>} of every order event to
 * the file named by the task key {@code orderLog.file}, and dead-letters events without an
 * integer {@code order_id}. Named in a task file by its class name ({@code handler =
 * "com.example.lanes.OrderLogHandler"}) or, since this jar lists it in {@code
 * META-INF/services/dev.lanes.api.MessageHandler}, by its simple name ({@code handler =
 * OrderLogHandler}).
 */
public final class OrderLogHandler implements MessageHandler {

  // slf4j comes from the runner: log records go to the runner's log, in its format
  private static final Logger log = LoggerFactory.getLogger(OrderLogHandler.class);

  private Writer out;

  @Override
  public void open(HandlerContext context) throws IOException {
    if (!context.config().hasPath("orderLog.file")) {
      throw new IllegalArgumentException("set orderLog.file in the task to the file to write");
    }
    Path file = Path.of(context.config().getString("orderLog.file"));
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    log.info("task {}: logging orders to {}", context.taskName(), file);
  }

  @Override
  public Outcome handle(Message message) throws IOException {
    Object orderId = message.field("order_id").orElse(null); // top level, then under "data"
    if (!(orderId instanceof Long order)) {
      return Outcome.reject("no integer order_id");
    }
    Object seq = message.field("seq").orElse(0L);
    String line = order + " " + seq + " " + message.attempt() + "\n";
    synchronized (this) { // one instance serves every lane
      out.write(line);
      out.flush();
    }
    return Outcome.ack();
  }

  @Override
  public synchronized void close() throws IOException {
    if (out != null) {
      out.close();
    }
  }
}
