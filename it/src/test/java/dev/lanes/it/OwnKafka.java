package dev.lanes.it;

import static org.awaitility.Awaitility.await;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import eu.rekawek.toxiproxy.model.Toxic;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A single-node KRaft Kafka of a test's own, behind a Toxiproxy proxy of its own, so that a test
 * can restart it or cut, slow or blackhole every connection to it (the shared broker of
 * scripts/brokers.sh is never restarted or cut by tests, and its advertised listener,
 * 127.0.0.1:9092, takes clients past any proxy after bootstrap). It runs the Kafka jars that
 * scripts/brokers.sh downloaded, on free loopback ports with its own log directory, and advertises
 * the proxy's address: every connection of a client, bootstrap and after, goes through {@link
 * #proxy()}.
 */
final class OwnKafka implements OwnBroker {

  private static final Path LIBS =
      Path.of(
          System.getenv()
              .getOrDefault(
                  "LANES_BROKERS_HOME", System.getProperty("user.home") + "/.cache/lanes-brokers"),
          "kafka-libs");

  private static final Duration START_WITHIN = Duration.ofSeconds(90);
  private static final Duration STOP_WITHIN = Duration.ofSeconds(60);

  private final Path dir;
  private final Proxy proxy;
  private Process process;

  private OwnKafka(Path dir, Proxy proxy) {
    this.dir = dir;
    this.proxy = proxy;
  }

  /**
   * Formats a fresh log directory under {@code dir} and starts the broker behind a new proxy of
   * {@code toxiproxy}; returns once the broker answers through the proxy.
   */
  static OwnKafka start(Path dir, ToxiproxyClient toxiproxy) throws Exception {
    if (!Files.isRegularFile(LIBS.resolve(".stamp"))) {
      throw new AssertionError(
          "no Kafka jars in " + LIBS + "; download them with scripts/brokers.sh start kafka");
    }
    Path home = Files.createDirectories(dir.resolve("kafka"));
    int port = freePort();
    int controllerPort = freePort();
    Proxy proxy =
        toxiproxy.createProxy(
            "lanes-own-kafka-" + Long.toHexString(ThreadLocalRandom.current().nextLong()),
            "127.0.0.1:0",
            "127.0.0.1:" + port);
    OwnKafka kafka = new OwnKafka(home, proxy);
    try {
      kafka.configure(port, controllerPort);
      kafka.format();
      kafka.launch();
      return kafka;
    } catch (Exception | AssertionError e) {
      kafka.close();
      throw e;
    }
  }

  /** The address clients bootstrap from and, as the advertised listener, connect to. */
  String bootstrap() {
    return proxy.getListen();
  }

  /** The proxy every connection to the broker goes through. */
  Proxy proxy() {
    return proxy;
  }

  /**
   * The link made whole again: the proxy enabled, without toxics (a failed test may leave them).
   */
  void heal() throws IOException {
    proxy.enable();
    for (Toxic toxic : proxy.toxics().getAll()) {
      toxic.remove();
    }
  }

  /** SIGTERM (a controlled shutdown: the log flushed and closed), then a start on the same log. */
  @Override
  public void restart() throws Exception {
    process.destroy();
    if (!process.waitFor(STOP_WITHIN.toSeconds(), TimeUnit.SECONDS)) {
      throw new AssertionError("the test's Kafka did not stop within " + STOP_WITHIN);
    }
    launch();
  }

  private void configure(int port, int controllerPort) throws IOException {
    Files.writeString(
        dir.resolve("server.properties"),
        """
        process.roles=broker,controller
        node.id=1
        controller.quorum.voters=1@127.0.0.1:%2$d
        listeners=PLAINTEXT://127.0.0.1:%1$d,CONTROLLER://127.0.0.1:%2$d
        advertised.listeners=PLAINTEXT://%3$s
        controller.listener.names=CONTROLLER
        inter.broker.listener.name=PLAINTEXT
        listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
        log.dirs=%4$s
        num.partitions=1
        offsets.topic.replication.factor=1
        offsets.topic.num.partitions=1
        transaction.state.log.replication.factor=1
        transaction.state.log.min.isr=1
        transaction.state.log.num.partitions=1
        share.coordinator.state.topic.replication.factor=1
        share.coordinator.state.topic.min.isr=1
        group.initial.rebalance.delay.ms=0
        """
            .formatted(port, controllerPort, bootstrap(), dir.resolve("log")));
    Files.writeString(
        dir.resolve("log4j.properties"),
        """
        log4j.rootLogger=INFO, stdout
        log4j.appender.stdout=org.apache.log4j.ConsoleAppender
        log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
        log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
        log4j.logger.kafka.request.logger=WARN
        log4j.logger.kafka.log.LogCleaner=WARN
        log4j.logger.state.change.logger=WARN
        log4j.logger.org.apache.kafka.storage.internals.log=WARN
        """);
    Files.writeString(dir.resolve("log4j2.properties"), "status = error\nrootLogger.level = off\n");
  }

  /** Formats the KRaft storage with a fresh cluster id. */
  private void format() throws Exception {
    byte[] id = new byte[16];
    ThreadLocalRandom.current().nextBytes(id);
    id[0] &= 0x7f; // its base64 then starts with A..f, never '-'
    String clusterId = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
    Process formatting =
        java("kafka.tools.StorageTool", "format", "-t", clusterId, "-c", properties()).start();
    if (!formatting.waitFor(60, TimeUnit.SECONDS) || formatting.exitValue() != 0) {
      formatting.destroyForcibly();
      throw new AssertionError(
          "formatting the test's Kafka storage failed; see " + dir.resolve("kafka.out"));
    }
  }

  private void launch() throws Exception {
    process = java("kafka.Kafka", properties()).start();
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                3000))) {
      await()
          .atMost(START_WITHIN)
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .failFast(
              "the test's Kafka exited; see " + dir.resolve("kafka.out"), () -> !process.isAlive())
          .until(() -> !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty());
    }
  }

  private String properties() {
    return dir.resolve("server.properties").toString();
  }

  private ProcessBuilder java(String mainClass, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-XX:+UseG1GC",
                "-Dlog4j.configuration=file:" + dir.resolve("log4j.properties"),
                "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"),
                "-cp",
                LIBS + "/*",
                mainClass));
    command.addAll(List.of(args));
    return new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("kafka.out").toFile()));
  }

  /** Kills the broker (a test's broker needs no controlled shutdown) and deletes the proxy. */
  @Override
  public void close() {
    if (process != null) {
      process.destroyForcibly().onExit().orTimeout(10, TimeUnit.SECONDS).join();
    }
    try {
      proxy.delete();
    } catch (IOException e) {
      throw new AssertionError("could not delete the proxy " + proxy.getName(), e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
