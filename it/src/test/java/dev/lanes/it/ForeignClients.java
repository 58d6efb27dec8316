package dev.lanes.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Publishes with clients that are not Lanes: kcat, nsqd's HTTP API, amqp-publish, RabbitMQ's Java
 * client.
 */
final class ForeignClients {

  private ForeignClients() {}

  /**
   * {@code kcat -P} with keys to {@code broker}: each line is published as {@code key|value};
   * {@code properties} are librdkafka's ({@code name=value}, kcat's {@code -X}).
   */
  static void kcat(
      String broker, String topic, List<String> keyedLines, Path workDir, String... properties)
      throws Exception {
    Path input = workDir.resolve("kcat-input.txt");
    Files.write(input, keyedLines);
    List<String> command =
        new ArrayList<>(List.of("kcat", "-b", broker, "-t", topic, "-P", "-K", "|"));
    for (String property : properties) {
      command.addAll(List.of("-X", property));
    }
    command.addAll(List.of("-l", input.toString()));
    run(workDir, command.toArray(String[]::new));
  }

  /** nsqd's {@code /mpub}: newline-separated bodies. */
  static void nsqMpub(String topic, List<String> bodies) throws Exception {
    nsqMpub("127.0.0.1:4151", topic, bodies);
  }

  /** The {@code /mpub} of the nsqd whose HTTP address is {@code http}. */
  static void nsqMpub(String http, String topic, List<String> bodies) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://" + http + "/mpub?topic=" + topic))
                    .POST(HttpRequest.BodyPublishers.ofString(String.join("\n", bodies)))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  /** {@code amqp-publish} of one message per body to an exchange with a routing key. */
  static void amqpPublish(String exchange, String routingKey, List<String> bodies, Path workDir)
      throws Exception {
    for (String body : bodies) {
      Path file = workDir.resolve("amqp-body.json");
      Files.writeString(file, body, StandardCharsets.UTF_8);
      ProcessBuilder pb =
          new ProcessBuilder(
                  "amqp-publish",
                  "--url=amqp://guest:guest@127.0.0.1:5672",
                  "-e",
                  exchange,
                  "-r",
                  routingKey,
                  "-p")
              .redirectInput(file.toFile());
      runProcess(pb.directory(workDir.toFile()), "amqp-publish");
    }
  }

  /**
   * RabbitMQ's Java client, with publisher confirms: one connection to the broker at {@code uri}
   * for many bodies, each persistent (kept on disk by a durable queue across a broker restart).
   */
  static void rabbitPublish(String uri, String exchange, String routingKey, List<String> bodies)
      throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(uri);
    try (Connection connection = factory.newConnection("it-foreign-publisher");
        Channel channel = connection.createChannel()) {
      channel.confirmSelect();
      for (String body : bodies) {
        channel.basicPublish(
            exchange,
            routingKey,
            MessageProperties.PERSISTENT_BASIC,
            body.getBytes(StandardCharsets.UTF_8));
      }
      channel.waitForConfirmsOrDie(30_000);
    }
  }

  /**
   * RabbitMQ's Java client as a foreign publisher of a partitioned task ({@code amqp.partitions}):
   * each body goes to {@code exchange} with its key in the {@code lanes-key} header, as a string,
   * which the task's consistent-hash exchange hashes; persistent, with publisher confirms.
   */
  static void rabbitPublishKeyed(String uri, String exchange, List<String[]> keyAndBody)
      throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(uri);
    try (Connection connection = factory.newConnection("it-foreign-publisher");
        Channel channel = connection.createChannel()) {
      channel.confirmSelect();
      for (String[] pair : keyAndBody) {
        AMQP.BasicProperties props =
            MessageProperties.PERSISTENT_BASIC
                .builder()
                .headers(Map.of("lanes-key", pair[0]))
                .build();
        channel.basicPublish(exchange, "", props, pair[1].getBytes(StandardCharsets.UTF_8));
      }
      channel.waitForConfirmsOrDie(30_000);
    }
  }

  private static void run(Path workDir, String... command)
      throws IOException, InterruptedException {
    runProcess(new ProcessBuilder(command).directory(workDir.toFile()), command[0]);
  }

  private static void runProcess(ProcessBuilder pb, String name)
      throws IOException, InterruptedException {
    Process process = pb.redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(name + " finished").isTrue();
    assertThat(process.exitValue()).as(name + " failed: " + output).isZero();
  }
}
