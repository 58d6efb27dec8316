package dev.lanes.runner.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.runner.service.TaskService;
import dev.lanes.runner.service.TaskSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A keep-alive client (one connection, one request after the other, as {@code requests}, Java's
 * {@code HttpClient} and Go's {@code net/http} do) is answered at the pace of the work, not at the
 * 40 ms rhythm of the client's delayed ACK: the server sends each response without waiting for the
 * ACK of its previous segment (Nagle's algorithm off, {@code TCP_NODELAY}).
 */
class KeepAliveClientTest {

  private static final int REQUESTS = 40;
  private static final double DELAYED_ACK_MS = 40;

  @TempDir Path dir;

  private TaskService service;
  private InetSocketAddress http;

  @BeforeEach
  void startTask() throws IOException {
    Path file = dir.resolve("tasks.conf");
    Files.writeString(
        file,
        """
        system { transport = local, deliverBy = order_id, http { port = 0, publish.enabled = true } }
        orders {
          handler = dev.lanes.samples.OrderEventsHandler
          local.dataDir = "%s"
        }
        """
            .formatted(dir.resolve("data")));
    service =
        TaskService.start(
            new TaskSource(file.toFile(), "orders", null), getClass().getClassLoader());
    String[] hostPort = service.httpAddress().orElseThrow().split(":");
    http = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
  }

  @AfterEach
  void stopTask() {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void publishesOneMessagePerRequestOnOneConnectionFasterThanTheDelayedAckRhythm()
      throws IOException {
    List<Double> millis = new ArrayList<>();
    try (Connection connection = new Connection(http)) {
      for (int i = 0; i < REQUESTS; i++) {
        String body = "{\"content\": {\"data\": {\"order_id\": " + i + ", \"seq\": 1}}}";
        long start = System.nanoTime();
        Response response = connection.exchange("POST", "/tasks/orders/messages", body);
        millis.add((System.nanoTime() - start) / 1e6);
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        assertThat(response.body()).contains("\"id\":");
      }
    }
    assertThat(median(millis))
        .as("median ms per request on one keep-alive connection; all: %s", millis)
        .isLessThan(DELAYED_ACK_MS / 2);
  }

  @Test
  void answersProbesOnOneConnectionFasterThanTheDelayedAckRhythm() throws IOException {
    List<Double> millis = new ArrayList<>();
    try (Connection connection = new Connection(http)) {
      for (int i = 0; i < REQUESTS; i++) {
        long start = System.nanoTime();
        Response response = connection.exchange("GET", "/health/live", null);
        millis.add((System.nanoTime() - start) / 1e6);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\":\"UP\"");
      }
    }
    assertThat(median(millis))
        .as("median ms per request on one keep-alive connection; all: %s", millis)
        .isLessThan(DELAYED_ACK_MS / 2);
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  private record Response(int status, String body) {}

  /**
   * One HTTP/1.1 connection kept open across requests. Each request leaves in one write with Nagle
   * off on this side, so any wait comes from the server.
   */
  private static final class Connection implements AutoCloseable {

    private final Socket socket = new Socket();
    private final OutputStream out;
    private final InputStream in;

    Connection(InetSocketAddress address) throws IOException {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(10_000);
      socket.connect(address, 5_000);
      out = socket.getOutputStream();
      in = socket.getInputStream();
    }

    Response exchange(String method, String path, String body) throws IOException {
      byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
      String head =
          method
              + " "
              + path
              + " HTTP/1.1\r\nHost: "
              + socket.getInetAddress().getHostAddress()
              + "\r\nContent-Type: application/json\r\nContent-Length: "
              + content.length
              + "\r\n\r\n";
      ByteArrayOutputStream request = new ByteArrayOutputStream();
      request.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
      request.writeBytes(content);
      out.write(request.toByteArray());
      out.flush();
      return read();
    }

    private Response read() throws IOException {
      String status = line();
      int length = -1;
      for (String header = line(); !header.isEmpty(); header = line()) {
        String lower = header.toLowerCase(Locale.ROOT);
        if (lower.startsWith("content-length:")) {
          length = Integer.parseInt(lower.substring("content-length:".length()).trim());
        }
        assertThat(lower)
            .as("the server keeps the connection open")
            .isNotEqualTo("connection: close");
      }
      assertThat(length).as("a Content-Length in the response to %s", status).isNotNegative();
      String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
      return new Response(Integer.parseInt(status.split(" ")[1]), body);
    }

    private String line() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) != '\n') {
        if (b < 0) {
          throw new IOException("connection closed by the server mid-response");
        }
        if (b != '\r') {
          line.write(b);
        }
      }
      return line.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
