package dev.lanes.runner.publish;

import dev.lanes.runner.http.OpsServer;
import dev.lanes.runner.http.RunningTask;
import dev.lanes.spi.TaskConfig;
import java.util.Optional;

/**
 * Where {@code POST /tasks/{task}/messages} lives in a runner process, as {@code http.publish.*}
 * says: nowhere (the main server answers 404), on the main server, or on a listener of its own on
 * 127.0.0.1 (the main server then answers 404 naming it). Opened before the task consumes, so a
 * token file that cannot be read or a port that cannot be bound stops the start first. Thread-safe
 * once registered.
 */
public final class PublishEndpoint implements AutoCloseable {

  private static final String LOOPBACK = "127.0.0.1";

  private final PublishSettings settings;
  private final PublishRoute route;
  private final OpsServer own;
  private volatile OpsServer served;

  private PublishEndpoint(PublishSettings settings, PublishRoute route, OpsServer own) {
    this.settings = settings;
    this.route = route;
    this.own = own;
  }

  /**
   * Reads the token and binds the listener of its own, if the settings ask for them.
   *
   * @throws dev.lanes.api.ReadyFailedException when the token file holds no token or the port
   *     cannot be bound
   */
  public static PublishEndpoint open(PublishSettings settings, TaskConfig task) {
    if (!settings.enabled()) {
      return new PublishEndpoint(settings, null, null);
    }
    PublishRoute route = PublishRoute.create(settings, task);
    OpsServer own = settings.ownListener() ? OpsServer.start(LOOPBACK, settings.port()) : null;
    return new PublishEndpoint(settings, route, own);
  }

  /** Adds the route (or its 404 stand-in) to {@code main}, the process's HTTP server. */
  public void register(OpsServer main, RunningTask task) {
    if (route == null) {
      PublishRoute.off(main, "publishing is off in this process (http.publish.enabled = false)");
      return;
    }
    if (own != null) {
      route.register(own, task);
      PublishRoute.off(
          main, "publishing listens on " + own.hostAndPort() + " only (http.publish.port)");
      served = own;
    } else {
      route.register(main, task);
      served = main;
    }
  }

  /** {@code host:port} where publishing is served, once registered and when it is on. */
  public Optional<String> address() {
    OpsServer server = served;
    return server == null ? Optional.empty() : Optional.of(server.hostAndPort());
  }

  /** For the start's log line: where publishing is and how it is guarded (never the token). */
  public String describe(String taskName) {
    return address()
        .map(
            a ->
                "POST /tasks/"
                    + taskName
                    + "/messages on "
                    + a
                    + (settings.requiresToken() ? " (bearer token)" : " (loopback, no token)"))
        .orElse("publishing off");
  }

  /** Stops the listener of its own and releases the publisher; after the main server stopped. */
  @Override
  public void close() {
    if (own != null) {
      own.close();
    }
    if (route != null) {
      route.close();
    }
  }
}
