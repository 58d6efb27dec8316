package dev.lanes.runner.publish;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.sun.net.httpserver.HttpExchange;
import dev.lanes.api.Message;
import dev.lanes.runner.http.OpsServer;
import dev.lanes.runner.http.Responses;
import dev.lanes.runner.http.RunningTask;
import dev.lanes.runner.publish.PublishRequests.BadRequest;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.StorageFullException;
import dev.lanes.spi.TaskConfig;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /tasks/{task}/messages}: publishes a message (or a JSON array of them) to the running
 * task's own destination and answers {@code 201 {"id": ...}} (or {@code {"ids": [...]}}). In the
 * order checked: 401 without a bearer token (when one is set), 403 with a wrong one, 404/405 for
 * another path, task or method, 413 for a body over {@code http.publish.maxBody}, 400 for a bad
 * message, 413 for more than {@code maxMessages} messages, 429 with {@code Retry-After} over the
 * rate. Anything refused stores nothing. Thread-safe: the HTTP server's threads call it at once,
 * and publish at once. {@link PublishEndpoint} creates it only with {@code http.publish.enabled};
 * otherwise {@link #off} answers 404.
 */
final class PublishRoute implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PublishRoute.class);
  private static final String JSON = "application/json";
  private static final String BEARER = "bearer ";

  private final PublishSettings settings;
  private final Optional<BearerToken> token;
  private final TokenBucket bucket;
  private volatile RunningTask task;
  private final ReadWriteLock publisherLock = new ReentrantReadWriteLock();
  private TaskConfig publisherFor; // guarded by publisherLock
  private Publisher publisher; // guarded by publisherLock

  PublishRoute(PublishSettings settings, Optional<BearerToken> token, LongSupplier nanoTime) {
    this.settings = settings;
    this.token = token;
    this.bucket =
        settings.rateLimit() > 0
            ? new TokenBucket(settings.rateLimit(), settings.burst(), nanoTime)
            : null;
  }

  /**
   * The route for {@code settings} of {@code task}, which must have publishing enabled.
   *
   * @throws dev.lanes.api.ReadyFailedException when {@code http.publish.tokenFile} holds no token
   */
  static PublishRoute create(PublishSettings settings, TaskConfig task) {
    if (!settings.enabled()) {
      throw new IllegalArgumentException("http.publish.enabled is false");
    }
    return new PublishRoute(settings, settings.bearerToken(task), System::nanoTime);
  }

  /** Answers every {@code /tasks/} request on {@code server} with 404 and {@code why}. */
  static void off(OpsServer server, String why) {
    server.route("/tasks/", exchange -> error(exchange, 404, why));
  }

  /** Serves the route on {@code server} for {@code runningTask}. */
  void register(OpsServer server, RunningTask runningTask) {
    this.task = runningTask;
    server.route("/tasks/", this::handle);
  }

  private void handle(HttpExchange exchange) throws IOException {
    if (!authorized(exchange)) {
      return;
    }
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
      error(
          exchange,
          413,
          "body larger than " + settings.maxBody() + " bytes (http.publish.maxBody)");
      return;
    }
    try {
      List<Message> messages = PublishRequests.parseBody(body);
      if (messages.size() > settings.maxMessages()) {
        error(
            exchange,
            413,
            messages.size()
                + " messages in one request; at most "
                + settings.maxMessages()
                + " (http.publish.maxMessages): send smaller batches");
        return;
      }
      if (!admitted(exchange, messages.size())) {
        return;
      }
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
    } catch (StorageFullException e) {
      log.error("task {}: publish request refused: {}", name, e.getMessage());
      error(exchange, 507, e.getMessage());
    } catch (Exception e) {
      log.error("task {}: publish request failed: {}", name, e.toString());
      error(
          exchange,
          503,
          "could not publish: " + e.getMessage() + "; nothing may have been stored, retry");
    }
  }

  /** 401 without {@code Authorization: Bearer ...}, 403 with a wrong token. */
  private boolean authorized(HttpExchange exchange) throws IOException {
    if (token.isEmpty()) {
      return true;
    }
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    if (header == null
        || header.length() <= BEARER.length()
        || !header.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
      exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"lanes\"");
      error(exchange, 401, "send Authorization: Bearer <http.publish.token>");
      return false;
    }
    if (!token.get().matches(header.substring(BEARER.length()).strip())) {
      error(exchange, 403, "wrong bearer token");
      return false;
    }
    return true;
  }

  /** 429 with Retry-After (whole seconds, at least 1) when the task's rate is used up. */
  private boolean admitted(HttpExchange exchange, int messages) throws IOException {
    long waitNanos = bucket == null ? 0 : bucket.tryTake(messages);
    if (waitNanos == 0) {
      return true;
    }
    long seconds = Math.max(1, (waitNanos + TimeUnit.SECONDS.toNanos(1) - 1) / 1_000_000_000L);
    exchange.getResponseHeaders().set("Retry-After", Long.toString(seconds));
    error(
        exchange,
        429,
        "over http.publish.rateLimit ("
            + settings.rateLimit()
            + " messages/s for this task); retry after "
            + seconds
            + " s");
    return false;
  }

  /**
   * Publishes with the task's publisher; requests publish at the same time (a transport's publisher
   * is thread-safe, and the local queue commits concurrent publishes together). The publisher is
   * replaced, under the write lock, once a reload changed the task's config.
   */
  private List<String> publish(List<Message> messages) throws Exception {
    TaskConfig config = task.config();
    publisherLock.readLock().lock();
    if (publisher == null || publisherFor != config) {
      publisherLock.readLock().unlock();
      publisherLock.writeLock().lock();
      try {
        if (publisher == null || publisherFor != config) {
          if (publisher != null) {
            publisher.close();
          }
          publisher = task.runtime().openPublisher(config);
          publisherFor = config;
        }
        publisherLock.readLock().lock(); // downgrade: publish without keeping others waiting
      } finally {
        publisherLock.writeLock().unlock();
      }
    }
    try {
      return SchedulingCheck.publish(publisher, config.transport(), messages);
    } finally {
      publisherLock.readLock().unlock();
    }
  }

  /** Releases the publisher, after the HTTP server stopped. */
  @Override
  public void close() {
    publisherLock.writeLock().lock();
    try {
      if (publisher != null) {
        publisher.close();
        publisher = null;
      }
    } finally {
      publisherLock.writeLock().unlock();
    }
  }

  /** The body, or null when it is larger than {@code maxBody} (read no further than that). */
  private byte[] readBody(HttpExchange exchange) throws IOException {
    String declared = exchange.getRequestHeaders().getFirst("Content-Length");
    if (declared != null
        && !declared.isEmpty()
        && declared.chars().allMatch(Character::isDigit)
        && (declared.length() > 18 || Long.parseLong(declared) > settings.maxBody())) {
      return null; // refused before reading it
    }
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readNBytes(settings.maxBody() + 1);
      return body.length > settings.maxBody() ? null : body;
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
