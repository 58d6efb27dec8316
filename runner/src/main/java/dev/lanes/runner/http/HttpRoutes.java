package dev.lanes.runner.http;

/**
 * Routes a module adds to the runner's HTTP server, found with {@link java.util.ServiceLoader}
 * (list the implementation in {@code META-INF/services/dev.lanes.runner.http.HttpRoutes}). The
 * runner calls {@link #register} once per process, after the task started. Routes added here are
 * served to whoever reaches {@code http.host}: a route that writes must check the caller itself
 * (the runner's own {@code POST /tasks/{task}/messages} is not one of these: see {@code
 * http.publish.*}).
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
