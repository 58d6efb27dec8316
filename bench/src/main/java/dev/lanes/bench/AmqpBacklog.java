package dev.lanes.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.spi.Publisher;
import dev.lanes.transport.amqp.AmqpTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A durable classic queue, declared by Lanes' own topology, filled by {@link #PUBLISHERS} channels,
 * each with its share of the keys, publishing persistent messages to the default exchange with a
 * publisher-confirm wait only every {@link #CONFIRM_EVERY} messages (so the broker's flow control,
 * not a confirm per message, sets the pace), then waiting until the queue reports the whole
 * backlog. Make the queue lazy with a policy for a 10 M backlog ({@code rabbitmqctl set_policy
 * lanes-bench-memory '^lanes-bench-mem-' '{"queue-mode":"lazy"}' --apply-to queues};
 * docs/benchmarks.md), or RabbitMQ 3.10 keeps much of it in memory. The client may hold {@code
 * amqp.prefetch} unacked deliveries.
 */
final class AmqpBacklog implements Backlog {

  private static final int CONFIRM_EVERY = 20_000;
  private static final int PUBLISHERS = 4;

  /** The retry queues Lanes declares with the default {@code amqp.retryDelays}. */
  private static final List<String> RETRY_TIERS =
      List.of("1s", "5s", "15s", "30s", "1m", "2m", "5m", "10m", "30m", "1h", "long");

  private final String uri;
  private final AtomicInteger threadNumber = new AtomicInteger();

  AmqpBacklog(BacklogMemoryWorkload.Settings settings) {
    this.uri = settings.amqp();
  }

  @Override
  public String transport() {
    return "amqp";
  }

  @Override
  public void create(String queue) throws Exception {
    // Lanes' publisher declares the queue, its dead-letter queue and retry tiers as the task would
    try (Publisher publisher =
        new AmqpTransport().openPublisher(TaskConfigLoader.forTask(queue, taskSettings(queue)))) {
      // declared on open
    }
  }

  @Override
  public void preload(String queue, long count, Payloads payloads) throws Exception {
    try (Connection connection = factory().newConnection("lanes-bench-preload")) {
      ExecutorService publishers =
          Executors.newFixedThreadPool(
              PUBLISHERS,
              r -> new Thread(r, "lanes-bench-amqp-preload-" + threadNumber.incrementAndGet()));
      try {
        List<Future<Void>> done = new ArrayList<>();
        for (int p = 0; p < PUBLISHERS; p++) {
          int part = p;
          done.add(publishers.submit(() -> publishPart(connection, queue, count, payloads, part)));
        }
        for (Future<Void> f : done) {
          f.get();
        }
      } finally {
        publishers.shutdownNow();
      }
      try (Channel channel = connection.createChannel()) {
        awaitDepth(channel, queue, count);
      }
    }
  }

  /**
   * Publishes, on a channel of its own and in order, the messages whose key is {@code part} modulo
   * {@link #PUBLISHERS}: RabbitMQ keeps the order of one channel's messages to a queue, so every
   * key stays in order while the publishers share the work.
   */
  private static Void publishPart(
      Connection connection, String queue, long count, Payloads payloads, int part)
      throws Exception {
    try (Channel channel = connection.createChannel()) {
      channel.confirmSelect();
      AMQP.BasicProperties persistent = MessageProperties.PERSISTENT_BASIC;
      long sent = 0;
      for (long i = 0; i < count; i++) {
        if (payloads.key(i) % PUBLISHERS != part) {
          continue;
        }
        channel.basicPublish("", queue, persistent, payloads.bytes(i));
        if (++sent % CONFIRM_EVERY == 0) {
          channel.waitForConfirmsOrDie(Duration.ofMinutes(5).toMillis());
        }
      }
      channel.waitForConfirmsOrDie(Duration.ofMinutes(5).toMillis());
    }
    return null;
  }

  private static void awaitDepth(Channel channel, String queue, long count) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    long ready;
    while ((ready = channel.queueDeclarePassive(queue).getMessageCount()) < count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "queue " + queue + " holds " + ready + " of " + count + " after 5 minutes");
      }
      Thread.sleep(200); // a benchmark's set-up, not main code
    }
  }

  @Override
  public Map<String, Object> taskSettings(String queue) {
    return Map.of("transport", "amqp", "amqp.uri", uri, "amqp.queue", queue);
  }

  @Override
  public ClientBuffer clientBuffer(Map<String, Object> task) {
    Object prefetch = task.getOrDefault("amqp.prefetch", 256);
    return new ClientBuffer(
        Long.parseLong(prefetch.toString()), 0, true, "amqp.prefetch (" + prefetch + ")");
  }

  @Override
  public void delete(String queue) {
    try (Connection connection = factory().newConnection("lanes-bench-cleanup");
        Channel channel = connection.createChannel()) {
      channel.queueDelete(queue);
      channel.queueDelete(queue + ".dlq");
      channel.exchangeDelete(queue + ".dlx");
      for (String tier : RETRY_TIERS) {
        channel.queueDelete(queue + ".retry." + tier);
      }
    } catch (Exception e) {
      System.err.println("could not delete queue " + queue + ": " + e);
    }
  }

  private ConnectionFactory factory() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(uri);
    return factory;
  }
}
