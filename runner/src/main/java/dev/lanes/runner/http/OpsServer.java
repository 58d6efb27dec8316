package dev.lanes.runner.http;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.lanes.api.ReadyFailedException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one small HTTP server of a runner process ({@code http.host}:{@code http.port}): the runner
 * adds {@code /metrics}, {@code /health/live} and {@code /health/ready}; other modules add theirs
 * with {@link #route} (directly, or as an {@link HttpRoutes} service). Requests run on two threads
 * named {@code lanes-http-N}. Responses leave without Nagle's delay ({@code TCP_NODELAY}), so a
 * keep-alive client is not held to its own 40 ms delayed-ACK rhythm. Thread-safe.
 */
public final class OpsServer implements AutoCloseable {

  /**
   * The JDK server's switch for {@code TCP_NODELAY} on accepted connections. It writes a response's
   * headers and body as two segments; with Nagle on, the body waits for the ACK of the headers,
   * which a keep-alive client delays by up to 40 ms, on every request. The server reads the
   * property once, when its first instance is created, so it is set here, before any is; an
   * explicit {@code -Dsun.net.httpserver.nodelay=false} is left alone.
   */
  private static final String NODELAY = "sun.net.httpserver.nodelay";

  /**
   * Request threads: a publish request waits for its broker's confirmation or the disk, and
   * requests waiting at the same time are confirmed together (the local queue's group commit).
   */
  private static final int THREADS = 16;

  static {
    if (System.getProperty(NODELAY) == null) {
      System.setProperty(NODELAY, "true");
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;

  private OpsServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds and starts the server; port 0 picks any free port (see {@link #address()}).
   *
   * @throws ReadyFailedException when the address cannot be bound, naming it
   */
  public static OpsServer start(String host, int port) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 16);
    } catch (IOException e) {
      throw new ReadyFailedException(
          "cannot listen on http "
              + host
              + ":"
              + port
              + " ("
              + e.getMessage()
              + "): set http.port to a free port (0 = any), or http.enabled = false",
          e);
    }
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor =
        Executors.newFixedThreadPool(
            THREADS,
            r -> {
              Thread t = new Thread(r, "lanes-http-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.start();
    return new OpsServer(server, executor);
  }

  /**
   * Serves {@code path} and everything under it with {@code handler} (the JDK server's prefix
   * matching: a handler answers 404 for sub-paths it does not know). A path can be added once.
   */
  public void route(String path, HttpHandler handler) {
    server.createContext(path, handler);
  }

  /** The bound address, with the actual port when 0 was asked for. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** {@code host:port} as bound. */
  public String hostAndPort() {
    InetSocketAddress a = address();
    return a.getHostString() + ":" + a.getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
