package dev.lanes.runner.http;

/**
 * Routes a module adds to the runner's HTTP server, found with {@link java.util.ServiceLoader}
 * (list the implementation in {@code META-INF/services/dev.lanes.runner.http.HttpRoutes}). The
 * runner calls {@link #register} once per process, after the task started, e.g. to add {@code POST
 * /tasks/{task}/messages} for publishing through the task's transport.
 */
public interface HttpRoutes extends AutoCloseable {

  /**
   * Adds this module's routes with {@link OpsServer#route}.
   *
   * @param task the task this process runs; its runtime and transport can change after a live
   *     update, so look them up per request
   */
  void register(OpsServer server, RunningTask task);

  /** Releases what the routes hold (a publisher...), after the HTTP server stopped. */
  @Override
  default void close() {}
}
