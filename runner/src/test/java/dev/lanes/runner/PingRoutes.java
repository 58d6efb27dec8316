package dev.lanes.runner;

import dev.lanes.runner.http.HttpRoutes;
import dev.lanes.runner.http.OpsServer;
import dev.lanes.runner.http.Responses;
import dev.lanes.runner.http.RunningTask;

/**
 * A route another module could add, found through {@code META-INF/services}: {@code GET /test/ping}
 * answers the current task, transport and lane count.
 */
public final class PingRoutes implements HttpRoutes {

  @Override
  public void register(OpsServer server, RunningTask task) {
    server.route(
        "/test/ping",
        exchange -> {
          if (Responses.isGet(exchange, "/test/ping")) {
            Responses.send(
                exchange,
                200,
                "text/plain",
                task.config().name()
                    + " on "
                    + task.transport().name()
                    + " with "
                    + task.runtime().laneDepths().length
                    + " lanes\n");
          }
        });
  }
}
