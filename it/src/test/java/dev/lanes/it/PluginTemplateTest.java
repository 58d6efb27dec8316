package dev.lanes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lanes.api.Message;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.runtime.Transports;
import dev.lanes.spi.Publisher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Builds {@code samples/plugin-template} with its one documented command, drops the jar into a
 * plugins directory and runs it in a real runner on real brokers, named in the task file by the
 * name its jar lists it under.
 */
@Tag("broker")
class PluginTemplateTest {

  static final Path TEMPLATE =
      Path.of("..", "samples", "plugin-template").toAbsolutePath().normalize();
  static final String LANES_VERSION = System.getProperty("lanes.version");
  static final String LOCAL_REPOSITORY = System.getProperty("lanes.localRepository");
  static final int ORDERS = 20;
  static final int EVENTS_PER_ORDER = 10;

  @TempDir static Path build;
  static Path pluginJar;

  @TempDir Path dir;

  @BeforeAll
  static void buildTheTemplateInOneCommand() throws Exception {
    assertThat(LANES_VERSION).as("system property lanes.version (set by it/pom.xml)").isNotBlank();
    assertThat(LOCAL_REPOSITORY)
        .as("system property lanes.localRepository (set by it/pom.xml)")
        .isNotBlank();
    Path project = build.resolve("my-plugin");
    copy(TEMPLATE, project);
    Path log = build.resolve("mvn-output.txt");
    Process mvn =
        new ProcessBuilder(
                "mvn",
                "-B",
                "-q",
                "package",
                "-Dlanes.version=" + LANES_VERSION,
                "-Dmaven.repo.local=" + LOCAL_REPOSITORY)
            .directory(project.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    assertThat(mvn.waitFor(5, TimeUnit.MINUTES)).as("mvn package finished in 5 minutes").isTrue();
    assertThat(mvn.exitValue())
        .as(
            "mvn package of the template (it builds against the installed Lanes"
                + " artifacts: `mvn install` in the Lanes checkout first, as scripts/test.sh does):%n%s",
            Files.readString(log))
        .isZero();
    pluginJar = project.resolve("target").resolve("lanes-example-plugin-1.0.0-SNAPSHOT.jar");
    assertThat(pluginJar).exists();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"kafka", "amqp", "nsq"})
  void aRunnerHandlesMessagesWithThePluginOnARealBroker(String transport) throws Exception {
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    Files.copy(pluginJar, plugins.resolve(pluginJar.getFileName()));
    String name =
        "it_plugin_" + transport + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    Path orderLog = dir.resolve("orders.log");
    Map<String, Object> destination = destination(transport, name);
    Path tasks = dir.resolve("tasks.conf");
    Files.writeString(
        tasks,
        """
        system { consumerNum = 8, deliverBy = order_id, http.port = 0 }
        orders {
          transport = %s
          handler = OrderLogHandler
          orderLog.file = "%s"
          %s
        }
        """
            .formatted(transport, orderLog, hocon(destination)));
    publish(transport, destination, Recorded.orderEvents(ORDERS, EVENTS_PER_ORDER));

    try (RunnerProcess runner =
        RunnerProcess.start(
            dir,
            "--task",
            "orders",
            "--config",
            tasks.toString(),
            "--plugins",
            plugins.toString())) {
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(200))
          .failFast("runner exited", () -> !runner.isAlive())
          .until(
              () ->
                  Files.exists(orderLog)
                      && Files.readAllLines(orderLog).size() >= ORDERS * EVENTS_PER_ORDER);
      assertThat(runner.terminate(Duration.ofSeconds(40))).as("exit code after SIGTERM").isZero();
      assertThat(runner.output())
          .as("runner output")
          .contains("orders: logging orders to " + orderLog)
          .contains("orders: stopped cleanly");
    }

    List<String> lines = Files.readAllLines(orderLog);
    assertThat(lines).hasSize(ORDERS * EVENTS_PER_ORDER);
    Map<Long, List<Long>> seqsByOrder = new LinkedHashMap<>();
    for (String line : lines) {
      String[] orderSeqAttempt = line.split(" ");
      seqsByOrder
          .computeIfAbsent(Long.parseLong(orderSeqAttempt[0]), o -> new ArrayList<>())
          .add(Long.parseLong(orderSeqAttempt[1]));
    }
    List<Long> inSequence = LongStream.rangeClosed(1, EVENTS_PER_ORDER).boxed().toList();
    assertThat(seqsByOrder).hasSize(ORDERS);
    seqsByOrder.forEach(
        (order, seqs) -> assertThat(seqs).as("events of order %d", order).isEqualTo(inSequence));
  }

  private static Map<String, Object> destination(String transport, String name) {
    return switch (transport) {
      case "kafka" -> Map.of("kafka.topic", name, "kafka.group", name);
      case "amqp" -> Map.of("amqp.exchange", name + ".x", "amqp.queue", name, "amqp.key", name);
      case "nsq" -> Map.of("nsq.topic", name, "nsq.channel", "orders");
      default -> throw new IllegalArgumentException(transport);
    };
  }

  private static String hocon(Map<String, Object> keys) {
    StringBuilder text = new StringBuilder();
    keys.forEach((key, value) -> text.append(key).append(" = \"").append(value).append("\"\n"));
    return text.toString();
  }

  /** Publishes with Lanes' own publisher of the transport (which also declares AMQP topology). */
  private static void publish(
      String transport, Map<String, Object> destination, List<String> events) throws Exception {
    Map<String, Object> task = new LinkedHashMap<>(destination);
    task.put("transport", transport);
    try (Publisher publisher =
        Transports.load(transport).openPublisher(TaskConfigLoader.forTask("orders", task))) {
      publisher.publishAll(events.stream().map(e -> Message.builder().payload(e).build()).toList());
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : files.filter(f -> !from.relativize(f).startsWith("target")).toList()) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    }
  }
}
