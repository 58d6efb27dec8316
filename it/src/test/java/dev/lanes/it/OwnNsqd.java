package dev.lanes.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * An nsqd of a test's own, on free loopback ports with its own data directory, so that a test can
 * restart it (the shared brokers of scripts/brokers.sh are never restarted by tests). It runs the
 * nsqd binary that scripts/brokers.sh built.
 */
final class OwnNsqd implements OwnBroker {

  private static final Path BINARY =
      Path.of(
          System.getenv()
              .getOrDefault(
                  "LANES_BROKERS_HOME", System.getProperty("user.home") + "/.cache/lanes-brokers"),
          "bin",
          "nsqd");

  private final Path dataDir;
  private final int tcpPort;
  private final int httpPort;
  private Process process;

  private OwnNsqd(Path dataDir, int tcpPort, int httpPort) {
    this.dataDir = dataDir;
    this.tcpPort = tcpPort;
    this.httpPort = httpPort;
  }

  static OwnNsqd start(Path dir) throws IOException {
    if (!Files.isExecutable(BINARY)) {
      throw new AssertionError(
          "no nsqd at " + BINARY + "; build it with scripts/brokers.sh start nsq");
    }
    Path data = Files.createDirectories(dir.resolve("nsqd-data"));
    OwnNsqd nsqd = new OwnNsqd(data, freePort(), freePort());
    nsqd.launch();
    return nsqd;
  }

  String tcp() {
    return "127.0.0.1:" + tcpPort;
  }

  String http() {
    return "127.0.0.1:" + httpPort;
  }

  /** SIGTERM (nsqd writes what it holds in memory to its data directory), then a new start. */
  @Override
  public void restart() throws IOException, InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("nsqd did not stop within 30 s");
    }
    launch();
  }

  private void launch() throws IOException {
    process =
        new ProcessBuilder(
                BINARY.toString(),
                "-data-path",
                dataDir.toString(),
                "-tcp-address",
                tcp(),
                "-http-address",
                http(),
                "-broadcast-address",
                "127.0.0.1")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("nsqd.log").toFile()))
            .start();
    HttpClient client = HttpClient.newHttpClient();
    HttpRequest ping = HttpRequest.newBuilder(URI.create("http://" + http() + "/ping")).build();
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .failFast("nsqd exited", () -> !process.isAlive())
        .until(() -> client.send(ping, HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().onExit().orTimeout(10, TimeUnit.SECONDS).join();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
