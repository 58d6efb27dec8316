package dev.lanes.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A RabbitMQ node of a test's own, so that a test can stop and restart it (the shared node of
 * scripts/brokers.sh, {@code rabbit@<host>} on 5672, is never restarted by tests). It runs the
 * rabbitmq-server that scripts/brokers.sh installs, as the current user, with everything of its
 * own: node name, free AMQP and distribution ports on loopback, mnesia and log directories, Erlang
 * cookie (its own {@code HOME}), an empty env file and config, and no plugins (so no management or
 * Prometheus listener that would clash with the shared node's). User guest/guest, loopback only.
 *
 * <p>It runs in the foreground under the server script, which turns SIGTERM into a graceful stop of
 * the node: queues and persistent messages are on disk when {@link #restart} starts it again on the
 * same data.
 */
final class OwnRabbit implements OwnBroker {

  /** The server script under Debian's wrapper, which would switch to the rabbitmq user. */
  private static final Path SERVER = Path.of("/usr/lib/rabbitmq/bin/rabbitmq-server");

  private static final Duration START_WITHIN = Duration.ofSeconds(60);
  private static final Duration STOP_WITHIN = Duration.ofSeconds(30);

  private final Path dir;
  private final String node;
  private final int amqpPort;
  private final int distPort;
  private Process process;

  private OwnRabbit(Path dir, String node, int amqpPort, int distPort) {
    this.dir = dir;
    this.node = node;
    this.amqpPort = amqpPort;
    this.distPort = distPort;
  }

  /** Starts a fresh node with its files under {@code dir}; returns once it accepts AMQP. */
  static OwnRabbit start(Path dir) throws IOException {
    if (!Files.isExecutable(SERVER)) {
      throw new AssertionError(
          "no rabbitmq-server at "
              + SERVER
              + "; install it with scripts/brokers.sh start rabbitmq");
    }
    Path home = Files.createDirectories(dir.resolve("rabbitmq"));
    Files.createDirectories(home.resolve("home"));
    Files.writeString(home.resolve("rabbitmq-env.conf"), "");
    Files.writeString(home.resolve("rabbitmq.conf"), "loopback_users.guest = true\n");
    Files.writeString(home.resolve("enabled_plugins"), "[].\n");
    String node =
        "lanes-it-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "@localhost";
    OwnRabbit rabbit = new OwnRabbit(home, node, freePort(), freePort());
    rabbit.launch();
    return rabbit;
  }

  /** {@code host:port} of the node's AMQP listener. */
  String address() {
    return "127.0.0.1:" + amqpPort;
  }

  String uri() {
    return "amqp://guest:guest@" + address();
  }

  /** A graceful stop (queues and persistent messages kept), then a start on the same data. */
  @Override
  public void restart() throws IOException, InterruptedException {
    stop();
    launch();
  }

  private void stop() throws InterruptedException {
    process.destroy(); // the script stops the node gracefully on SIGTERM, then exits
    if (!process.waitFor(STOP_WITHIN.toSeconds(), TimeUnit.SECONDS)) {
      throw new AssertionError("RabbitMQ node " + node + " did not stop within " + STOP_WITHIN);
    }
  }

  private void launch() throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(SERVER.toString())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.out").toFile()));
    Map<String, String> env = builder.environment();
    env.put("HOME", dir.resolve("home").toString());
    env.put("RABBITMQ_CONF_ENV_FILE", dir.resolve("rabbitmq-env.conf").toString());
    env.put("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq.conf").toString());
    env.put("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString());
    env.put("RABBITMQ_NODENAME", node);
    env.put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
    env.put("RABBITMQ_NODE_PORT", String.valueOf(amqpPort));
    env.put("RABBITMQ_DIST_PORT", String.valueOf(distPort));
    env.put("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}");
    env.put("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString());
    env.put("RABBITMQ_LOG_BASE", dir.resolve("log").toString());
    env.put("RABBITMQ_PID_FILE", dir.resolve("node.pid").toString());
    process = builder.start();
    await()
        .atMost(START_WITHIN)
        .pollInterval(Duration.ofMillis(100))
        .failFast(
            "RabbitMQ node " + node + " exited; see " + dir.resolve("log"),
            () -> !process.isAlive())
        .until(this::accepts);
  }

  private boolean accepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", amqpPort), 500);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  /**
   * Kills the node (the Erlang VM, then its script): a test's node needs no graceful stop at the
   * end, and the VM would outlive a killed script.
   */
  @Override
  public void close() {
    if (process != null) {
      List<ProcessHandle> vm = process.descendants().toList();
      vm.forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      vm.forEach(p -> p.onExit().orTimeout(10, TimeUnit.SECONDS).join());
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
