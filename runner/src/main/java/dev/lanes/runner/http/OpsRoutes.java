package dev.lanes.runner.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.sun.net.httpserver.HttpExchange;
import dev.lanes.runtime.TaskRuntime;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * The runner's own routes: {@code /metrics} (Prometheus text format), {@code /health/live} (the
 * process makes progress; never asks a broker) and {@code /health/ready} (the task is running and
 * its source connected). Health answers 200 {@code UP} or 503 {@code DOWN} with a small JSON body.
 */
public final class OpsRoutes {

  private static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";
  private static final String JSON = "application/json";

  private OpsRoutes() {}

  /**
   * @param live whether the process makes progress
   */
  public static void register(
      OpsServer server, PrometheusMeterRegistry registry, RunningTask task, BooleanSupplier live) {
    server.route(
        "/metrics",
        exchange -> {
          if (Responses.isGet(exchange, "/metrics")) {
            Responses.send(exchange, 200, TEXT_FORMAT, registry.scrape());
          }
        });
    server.route(
        "/health/live",
        exchange -> {
          if (Responses.isGet(exchange, "/health/live")) {
            health(exchange, task, live.getAsBoolean());
          }
        });
    server.route(
        "/health/ready",
        exchange -> {
          if (Responses.isGet(exchange, "/health/ready")) {
            health(exchange, task, task.runtime().isReady());
          }
        });
  }

  private static void health(HttpExchange exchange, RunningTask task, boolean up)
      throws IOException {
    TaskRuntime runtime = task.runtime();
    String name = new String(JsonStringEncoder.getInstance().quoteAsString(task.config().name()));
    String body =
        "{\"status\":\""
            + (up ? "UP" : "DOWN")
            + "\",\"task\":\""
            + name
            + "\",\"state\":\""
            + runtime.state()
            + "\"}\n";
    Responses.send(exchange, up ? 200 : 503, JSON, body);
  }
}
