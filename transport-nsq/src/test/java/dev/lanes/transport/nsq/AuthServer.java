package dev.lanes.transport.nsq;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * nsqd's auth server contract ({@code --auth-http-address}) in a JDK HttpServer: {@code GET
 * /auth?remote_ip=&tls=&secret=} answers 200 with every permission on every topic and channel when
 * the secret is the expected one, 403 otherwise. Keeps the secrets it was asked about.
 */
final class AuthServer implements AutoCloseable {

  private final HttpServer server;
  private final String expected;
  private final List<String> asked = new CopyOnWriteArrayList<>();
  private final List<String> tls = new CopyOnWriteArrayList<>();

  AuthServer(String expectedSecret) throws IOException {
    this.expected = expectedSecret;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/auth", this::auth);
    server.start();
  }

  /** {@code host:port} for nsqd's {@code --auth-http-address}. */
  String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /** The secrets nsqd asked about, in order. */
  List<String> asked() {
    return List.copyOf(asked);
  }

  /** The {@code tls} parameter of each request ({@code true} when the client is on TLS). */
  List<String> tls() {
    return List.copyOf(tls);
  }

  private void auth(HttpExchange exchange) throws IOException {
    String secret = "";
    String query = exchange.getRequestURI().getRawQuery();
    for (String param : query == null ? new String[0] : query.split("&")) {
      if (param.startsWith("secret=")) {
        secret = URLDecoder.decode(param.substring(7), StandardCharsets.UTF_8);
      } else if (param.startsWith("tls=")) {
        tls.add(param.substring(4));
      }
    }
    asked.add(secret);
    boolean granted = secret.equals(expected);
    byte[] body =
        (granted
                ? "{\"ttl\":3600,\"identity\":\"lanes-test\",\"identity_url\":\"\","
                    + "\"authorizations\":[{\"topic\":\".*\",\"channels\":[\".*\"],"
                    + "\"permissions\":[\"subscribe\",\"publish\"]}]}"
                : "{\"message\":\"NOT_AUTHORIZED\"}")
            .getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(granted ? 200 : 403, body.length);
    try (var out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
