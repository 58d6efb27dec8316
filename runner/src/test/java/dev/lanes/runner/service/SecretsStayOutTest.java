package dev.lanes.runner.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.lanes.api.Message;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.runtime.Transports;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.TaskConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A credential given to a transport (and the publish token) shows up in no log record, no {@code
 * runner status} output, no metric and no error, whether the task runs or fails to start. On the
 * real brokers: a recognisable secret in the AMQP URI (unreachable broker, refused login, and a
 * running task), in Kafka's SASL/SSL client properties (a running task, and a JAAS config the
 * client refuses), NSQ's AUTH secret (a running task, and one no nsqd accepts; refused and accepted
 * secrets on an nsqd that asks an auth server: the transport's {@code NsqSecurityTest}), and the
 * publish token on the local transport. Local has no credential keys of its own.
 */
@Tag("broker")
class SecretsStayOutTest {

  private static final String SECRET = "s3cr3t-XYZ";
  private static final String TOKEN = SECRET + "-publish-token";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  private final ListAppender<ILoggingEvent> records = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private final List<String> seen = new ArrayList<>();
  private TaskService service;

  @BeforeEach
  void captureLogs() {
    records.start();
    root.addAppender(records);
  }

  @AfterEach
  void stop() {
    if (service != null) {
      service.close();
    }
    root.detachAppender(records);
  }

  private TaskSource task(String body) throws Exception {
    Path file = dir.resolve("tasks.conf");
    Files.writeString(
        file,
        """
        system {
          deliverBy = order_id
          log.levels { "dev.lanes" = DEBUG }
          http { port = 0, publish { enabled = true, token = "%s" } }
        }
        t {
          handler = dev.lanes.samples.OrderEventsHandler
          %s
        }
        """
            .formatted(TOKEN, body));
    return new TaskSource(file.toFile(), "t", null);
  }

  private static String unique(String prefix) {
    return prefix + Long.toHexString(ThreadLocalRandom.current().nextLong());
  }

  @Test
  void amqpPasswordOfAnUnreachableBrokerIsInNoErrorOrLog() throws Exception {
    String queue = unique("secrets.amqp.");
    Throwable failed =
        catchThrowable(
            () ->
                TaskService.start(
                    task(
                        "transport = amqp, amqp { uri = \"amqp://lanes:"
                            + SECRET
                            + "@127.0.0.1:1\", queue = "
                            + queue
                            + ", connectionTimeout = 2s }"),
                    getClass().getClassLoader()));

    assertThat(failed).isInstanceOf(ReadyFailedException.class).hasMessageContaining("lanes:***@");
    assertNoSecretIn(failed);
    assertNoSecretLogged();
  }

  @Test
  void amqpPasswordOfAUriWithAnInvalidHostNameIsInNoErrorOrLog() throws Exception {
    Throwable failed =
        catchThrowable(
            () ->
                TaskService.start(
                    task(
                        "transport = amqp, amqp.uri = \"amqp://lanes:"
                            + SECRET
                            + "@rabbit_mq.local:5672\""),
                    getClass().getClassLoader()));

    assertThat(failed)
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("amqp.uri: expected an amqp:// or amqps:// URI with a host");
    assertNoSecretIn(failed);
    assertNoSecretLogged();
  }

  @Test
  void amqpPasswordRefusedByTheBrokerIsInNoErrorOrLog() throws Exception {
    String queue = unique("secrets.amqp.");
    Throwable failed =
        catchThrowable(
            () ->
                TaskService.start(
                    task(
                        "transport = amqp, amqp { uri = \"amqp://guest:"
                            + SECRET
                            + "@127.0.0.1:5672\", queue = "
                            + queue
                            + " }"),
                    getClass().getClassLoader()));

    assertThat(failed).isInstanceOf(ReadyFailedException.class);
    assertNoSecretIn(failed);
    assertNoSecretLogged();
  }

  @Test
  void amqpCredentialsOfARunningTaskAreInNoStatusMetricOrLog() throws Exception {
    String queue = unique("secrets.amqp.");
    service =
        TaskService.start(
            task(
                "transport = amqp, amqp { uri = \"amqp://guest:guest@127.0.0.1:5672\", queue = "
                    + queue
                    + ", exchange = \"\", key = "
                    + queue
                    + " }"),
            getClass().getClassLoader());

    publishAndScrape();

    // the password of guest:guest is not recognisable; its URI form is
    for (String text : seen) {
      assertThat(text).doesNotContain("guest:guest@").doesNotContain(TOKEN);
    }
    for (String line : logLines()) {
      assertThat(line).doesNotContain("guest:guest@").doesNotContain(TOKEN);
    }
  }

  @Test
  void kafkaSaslAndSslPasswordsOfARunningTaskAreInNoStatusMetricOrLog() throws Exception {
    String topic = unique("secrets_kafka_");
    createTopic(topic);
    service =
        TaskService.start(
            task(
                "transport = kafka\n"
                    + "kafka { topic = "
                    + topic
                    + ", group = "
                    + topic
                    + "\n client {\n"
                    // PLAINTEXT, as the test broker speaks; the client still reads (and logs)
                    // the credentials below
                    + "  \"sasl.mechanism\" = PLAIN\n"
                    + "  \"sasl.jaas.config\" = \"org.apache.kafka.common.security.plain."
                    + "PlainLoginModule required username=\\\"lanes\\\" password=\\\""
                    + SECRET
                    + "\\\";\"\n"
                    + "  \"ssl.truststore.password\" = \""
                    + SECRET
                    + "\"\n"
                    + "  \"ssl.key.password\" = \""
                    + SECRET
                    + "\"\n } }"),
            getClass().getClassLoader());

    publishAndScrape();

    assertNoSecretSeen();
    assertNoSecretLogged();
    assertThat(logLines())
        .as("the Kafka client logged its config, with the password-type values hidden")
        .anyMatch(line -> line.contains("sasl.jaas.config = [hidden]"));
  }

  @Test
  void kafkaJaasConfigTheClientRefusesIsInNoErrorOrLog() throws Exception {
    String topic = unique("secrets_kafka_");
    Throwable failed =
        catchThrowable(
            () ->
                TaskService.start(
                    task(
                        "transport = kafka\n"
                            + "kafka { topic = "
                            + topic
                            + ", group = "
                            + topic
                            + ", connectTimeout = 3s\n client {\n"
                            + "  \"security.protocol\" = SASL_PLAINTEXT\n"
                            + "  \"sasl.mechanism\" = PLAIN\n"
                            // no closing semicolon: the client refuses to parse it
                            + "  \"sasl.jaas.config\" = \"org.apache.kafka.common.security.plain."
                            + "PlainLoginModule required username=\\\"lanes\\\" password=\\\""
                            + SECRET
                            + "\\\"\"\n } }"),
                    getClass().getClassLoader()));

    assertThat(failed)
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("kafka: expected settings a Kafka client accepts");
    assertNoSecretIn(failed);
    assertNoSecretLogged();
  }

  @Test
  void nsqAuthSecretOfARunningTaskIsInNoStatusMetricOrLog() throws Exception {
    String topic = unique("secrets_nsq_");
    service =
        TaskService.start(
            task(
                "transport = nsq, nsq { nsqd = [\"127.0.0.1:4150\"], topic = "
                    + topic
                    + ", authSecret = \""
                    + SECRET
                    + "\" }"),
            getClass().getClassLoader());

    publishAndScrape();

    assertNoSecretSeen();
    assertNoSecretLogged();
  }

  @Test
  void nsqAuthSecretOfATaskNoNsqdAcceptsIsInNoErrorOrLog() throws Exception {
    Throwable failed =
        catchThrowable(
            () ->
                TaskService.start(
                    task(
                        "transport = nsq, nsq { nsqd = [\"127.0.0.1:1\"], topic = "
                            + unique("secrets_nsq_")
                            + ", authSecret = \""
                            + SECRET
                            + "\" }"),
                    getClass().getClassLoader()));

    assertThat(failed)
        .isInstanceOf(ReadyFailedException.class)
        .hasMessageContaining("nsqd's auth server must accept nsq.authSecret");
    assertNoSecretIn(failed);
    assertNoSecretLogged();
  }

  @Test
  void thePublishTokenOfALocalTaskIsInNoStatusMetricOrLog() throws Exception {
    service =
        TaskService.start(
            task("transport = local, local.dataDir = \"" + dir.resolve("data") + "\""),
            getClass().getClassLoader());

    publishAndScrape();

    assertThat(seen).noneMatch(text -> text.contains(SECRET));
    assertThat(String.join("\n", seen)).contains("publish: ");
    assertNoSecretLogged();
  }

  /** The test broker creates a topic on its first publish. */
  private static void createTopic(String topic) throws Exception {
    TaskConfig task =
        TaskConfigLoader.forTask(
            "t", Map.of("transport", "kafka", "kafka.topic", topic, "kafka.group", topic));
    try (Publisher publisher = Transports.load("kafka").openPublisher(task)) {
      publisher.publishAll(
          List.of(Message.builder().payload("{\"data\": {\"order_id\": 0, \"seq\": 1}}").build()));
    }
  }

  /** One authorised publish, a handled message, then status and /metrics into {@link #seen}. */
  private void publishAndScrape() throws Exception {
    String http = service.httpAddress().orElseThrow();
    String base = "http://127.0.0.1:" + http.substring(http.lastIndexOf(':') + 1);
    await().atMost(Duration.ofSeconds(30)).until(() -> service.runtime().isReady());
    HttpResponse<String> published =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base + "/tasks/t/messages"))
                .header("Authorization", "Bearer " + TOKEN)
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"content\": {\"data\": {\"order_id\": 1, \"seq\": 1}}}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(published.statusCode()).as(published.body()).isEqualTo(201);
    await().atMost(Duration.ofSeconds(30)).until(() -> service.runtime().stats().acked() >= 1);
    seen.add(published.body());
    seen.add(service.status());
    String metrics =
        HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(metrics).contains("messaging_client_consumed_messages");
    seen.add(metrics);
  }

  private void assertNoSecretSeen() {
    assertThat(seen).isNotEmpty();
    for (String text : seen) {
      assertThat(text).doesNotContain(SECRET);
    }
  }

  private static void assertNoSecretIn(Throwable failed) {
    for (Throwable t = failed; t != null; t = t.getCause()) {
      assertThat(String.valueOf(t.getMessage())).doesNotContain(SECRET);
      assertThat(t.toString()).doesNotContain(SECRET);
    }
  }

  private void assertNoSecretLogged() {
    List<String> lines = logLines();
    assertThat(lines).isNotEmpty();
    for (String line : lines) {
      assertThat(line).doesNotContain(SECRET);
    }
  }

  /** Every captured record as text: its message, and the messages and frames of its throwable. */
  private List<String> logLines() {
    List<String> lines = new ArrayList<>();
    for (ILoggingEvent event : List.copyOf(records.list)) {
      lines.add(event.getLoggerName() + " " + event.getFormattedMessage());
      for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
        lines.add(t.getClassName() + ": " + t.getMessage());
        for (StackTraceElementProxy frame : t.getStackTraceElementProxyArray()) {
          lines.add(frame.getSTEAsString());
        }
      }
    }
    return lines;
  }
}
