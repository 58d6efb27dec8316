package dev.lanes.transport.amqp;

import static org.assertj.core.api.Assertions.fail;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.lanes.api.Message;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.TaskConfig;
import dev.lanes.testing.Tasks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The real RabbitMQ of the test bed ({@code scripts/brokers.sh start rabbitmq}), reached on {@code
 * LANES_AMQP_URI} or {@code amqp://guest:guest@127.0.0.1:5672}. A test that cannot reach it fails
 * with a clear message; it never skips. Each scenario uses queues of its own.
 */
final class RabbitBroker implements AutoCloseable {

  static final String URI =
      System.getenv().getOrDefault("LANES_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672");

  private final Connection admin;
  private final List<AmqpSettings> created = new ArrayList<>();

  private RabbitBroker(Connection admin) {
    this.admin = admin;
  }

  /** Connects to the broker or fails the test saying how to start it. */
  static RabbitBroker connect() {
    ConnectionFactory factory = new ConnectionFactory();
    try {
      factory.setUri(URI);
      factory.setConnectionTimeout(5000);
      factory.setNetworkRecoveryInterval(500); // survives the tests' close_all_connections
      return new RabbitBroker(factory.newConnection("lanes-test-admin"));
    } catch (Exception e) {
      return fail(
          "RabbitMQ is not reachable at "
              + AmqpSettings.mask(java.net.URI.create(URI))
              + " ("
              + e
              + "); start it with scripts/brokers.sh start rabbitmq",
          e);
    }
  }

  /** A task name (and so queue name) unique to this scenario and run. */
  static String unique(String scenario) {
    return "lanes-it-" + scenario + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A task on the amqp transport over {@link Tasks#task}; {@code amqp} keys without the prefix. */
  TaskConfig task(String name, Map<String, ?> amqp) {
    return task(name, amqp, Map.of());
  }

  TaskConfig task(String name, Map<String, ?> amqp, Map<String, ?> core) {
    Map<String, Object> overrides = new HashMap<>(core);
    overrides.put("transport", "amqp");
    overrides.put("amqp.uri", URI);
    overrides.put("amqp.recoveryInterval", "500ms");
    overrides.put("amqp.backlogInterval", "100ms");
    amqp.forEach((k, v) -> overrides.put("amqp." + k, v));
    TaskConfig task = Tasks.task(name, overrides);
    created.add(AmqpSettings.of(task));
    return task;
  }

  /** Messages {@code prefix-0..n-1} with key {@code k<i % keys>} and a JSON payload. */
  static List<Message> messages(String prefix, int n, int keys) {
    List<Message> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(
          Message.builder()
              .id(prefix + "-" + i)
              .key("k" + (i % keys))
              .payload("{\"seq\":" + i + ",\"order_id\":" + (i % keys) + "}")
              .headers(Map.of("seq", Integer.toString(i)))
              .build());
    }
    return list;
  }

  static void publish(TaskConfig task, List<Message> messages) throws Exception {
    try (Publisher publisher = new AmqpTransport().openPublisher(task)) {
      publisher.publishAll(messages);
    }
  }

  /** Ready messages in {@code queue}. */
  long ready(String queue) throws IOException {
    try (Channel ch = admin.createChannel()) {
      return ch.queueDeclarePassive(queue).getMessageCount();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IOException(e);
    }
  }

  /** Takes (and acks) every ready message of {@code queue}. */
  List<GetResponse> drain(String queue) throws IOException {
    List<GetResponse> all = new ArrayList<>();
    try (Channel ch = admin.createChannel()) {
      for (GetResponse r; (r = ch.basicGet(queue, true)) != null; ) {
        all.add(r);
      }
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IOException(e);
    }
    return all;
  }

  /** Deletes {@code queue}; the broker cancels its consumers. */
  void deleteQueue(String queue) throws IOException {
    try (Channel ch = admin.createChannel()) {
      ch.queueDelete(queue);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IOException(e);
    }
  }

  /**
   * Publishes one message per id straight to {@code queue} (default exchange), without declaring
   * anything.
   */
  void publishRaw(String queue, String... ids) throws IOException {
    try (Channel ch = admin.createChannel()) {
      for (String id : ids) {
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().messageId(id).build();
        ch.basicPublish("", queue, props, id.getBytes(StandardCharsets.UTF_8));
      }
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IOException(e);
    }
  }

  static String body(GetResponse response) {
    return new String(response.getBody(), StandardCharsets.UTF_8);
  }

  /** Runs {@code rabbitmqctl} (the tests run as root on the broker's machine). */
  static String rabbitmqctl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("rabbitmqctl", "-q"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      fail("rabbitmqctl " + String.join(" ", args) + " failed: " + out);
    }
    return out;
  }

  /** Whether {@code queue} exists and has a consumer. */
  static boolean hasConsumer(String queue) throws IOException, InterruptedException {
    return rabbitmqctl("list_queues", "name", "consumers")
        .lines()
        .anyMatch(l -> l.startsWith(queue + "\t") && !l.endsWith("\t0"));
  }

  /** Closes, broker-side, every connection whose client-given name is {@code name}. */
  static int closeConnectionsNamed(String name) throws IOException, InterruptedException {
    int closed = 0;
    for (String line : rabbitmqctl("list_connections", "pid", "client_properties").split("\n")) {
      if (line.contains("\"" + name + "\"")) {
        String pid = line.substring(0, line.indexOf('>') + 1).trim();
        rabbitmqctl("close_connection", pid, "test");
        closed++;
      }
    }
    return closed;
  }

  /** Deletes every queue and exchange of the tasks made by {@link #task}, then disconnects. */
  @Override
  public void close() throws IOException {
    // after a fault test the admin connection may still be reconnecting
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(admin::isOpen);
    try {
      for (AmqpSettings s : created) {
        List<String> queues = new ArrayList<>(s.workQueues());
        queues.add(s.deadLetterQueue());
        RetryQueues retry = new RetryQueues(s.queue(), s.retryDelays());
        retry.tiers().forEach(t -> queues.add(t.queue()));
        queues.add(retry.longQueue());
        for (String q : queues) {
          try (Channel ch = admin.createChannel()) {
            ch.queueDelete(q);
          } catch (IOException | java.util.concurrent.TimeoutException e) {
            // never declared
          }
        }
        for (String x : List.of(s.exchange(), s.deadLetterExchange())) {
          if (!x.isEmpty()) {
            try (Channel ch = admin.createChannel()) {
              ch.exchangeDelete(x);
            } catch (IOException | java.util.concurrent.TimeoutException e) {
              // never declared
            }
          }
        }
      }
    } finally {
      if (admin.isOpen()) {
        admin.close();
      }
    }
  }
}
