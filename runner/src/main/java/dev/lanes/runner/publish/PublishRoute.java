package dev.lanes.runner.publish;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.sun.net.httpserver.HttpExchange;
import dev.lanes.api.Message;
import dev.lanes.runner.http.HttpRoutes;
import dev.lanes.runner.http.OpsServer;
import dev.lanes.runner.http.Responses;
import dev.lanes.runner.http.RunningTask;
import dev.lanes.runner.publish.PublishRequests.BadRequest;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.TaskConfig;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /tasks/{task}/messages}: publishes a message (or a JSON array of them) to the running
 * task's own destination and answers {@code 201 {"id": ...}} (or {@code {"ids": [...]}}). Bad
 * requests get a 4xx with the reason and store nothing.
 */
public final class PublishRoute implements HttpRoutes {

  static final int MAX_BODY = 16 * 1024 * 1024;
  private static final Logger log = LoggerFactory.getLogger(PublishRoute.class);
  private static final String JSON = "application/json";

  private RunningTask task;
  private TaskConfig publisherFor;
  private Publisher publisher;

  @Override
  public void register(OpsServer server, RunningTask runningTask) {
    this.task = runningTask;
    server.route("/tasks/", this::handle);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String[] parts = exchange.getRequestURI().getPath().split("/");
    String name = task.config().name();
    if (parts.length != 4 || !parts[3].equals("messages")) {
      error(exchange, 404, "not found; publish with POST /tasks/" + name + "/messages");
      return;
    }
    if (!parts[2].equals(name)) {
      error(exchange, 404, "no task '" + parts[2] + "' in this process; it runs '" + name + "'");
      return;
    }
    if (!exchange.getRequestMethod().equals("POST")) {
      exchange.getResponseHeaders().set("Allow", "POST");
      error(exchange, 405, "use POST");
      return;
    }
    byte[] body = readBody(exchange);
    if (body == null) {
      error(exchange, 413, "body larger than " + MAX_BODY + " bytes; send smaller batches");
      return;
    }
    try {
      List<Message> messages = PublishRequests.parseBody(body);
      List<String> ids = publish(messages);
      Responses.send(
          exchange,
          201,
          JSON,
          ids.size() == 1 && body.length > 0 && firstNonBlank(body) == '{'
              ? "{\"id\":" + quote(ids.get(0)) + "}\n"
              : "{\"ids\":["
                  + String.join(",", ids.stream().map(PublishRoute::quote).toList())
                  + "]}\n");
    } catch (BadRequest e) {
      error(exchange, 400, e.getMessage());
    } catch (Exception e) {
      log.error("task {}: publish request failed: {}", name, e.toString());
      error(
          exchange,
          503,
          "could not publish: " + e.getMessage() + "; nothing may have been stored, retry");
    }
  }

  private synchronized List<String> publish(List<Message> messages) throws Exception {
    TaskConfig config = task.config();
    if (publisher == null || publisherFor != config) {
      if (publisher != null) {
        publisher.close();
      }
      publisher = task.transport().openPublisher(config);
      publisherFor = config;
    }
    return SchedulingCheck.publish(publisher, config.transport(), messages);
  }

  @Override
  public synchronized void close() {
    if (publisher != null) {
      publisher.close();
      publisher = null;
    }
  }

  private static byte[] readBody(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readNBytes(MAX_BODY + 1);
      return body.length > MAX_BODY ? null : body;
    }
  }

  private static char firstNonBlank(byte[] body) {
    for (byte b : body) {
      if (!Character.isWhitespace(b)) {
        return (char) b;
      }
    }
    return ' ';
  }

  private static void error(HttpExchange exchange, int status, String message) throws IOException {
    Responses.send(exchange, status, JSON, "{\"error\":" + quote(message) + "}\n");
  }

  private static String quote(String text) {
    return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + '"';
  }
}
