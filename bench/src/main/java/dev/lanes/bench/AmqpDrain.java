package dev.lanes.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * RabbitMQ: a durable classic queue per run on the default exchange, filled with persistent
 * messages (publisher confirms every {@value #CONFIRM_BATCH}) that carry their key in Lanes' {@code
 * lanes-key} header; Lanes' amqp transport against {@link RawAmqpConsumer}, both with the same
 * prefetch and a {@code basic.ack(multiple=true)} every {@code ackBatch} deliveries.
 */
final class AmqpDrain implements DrainBroker {

  private static final int CONFIRM_BATCH = 10_000;

  /** Lanes' one retry tier here (retries do not happen; fewer queues to declare and delete). */
  private static final String RETRY_TIER = "1s";

  private final DrainSettings settings;

  AmqpDrain(DrainSettings settings) {
    this.settings = settings;
  }

  @Override
  public String name() {
    return "amqp";
  }

  @Override
  public int defaultRecords() {
    return 200_000;
  }

  @Override
  public boolean ordered() {
    return true;
  }

  @Override
  public String destination(String unique) {
    return "bench.drain." + unique;
  }

  @Override
  public void preload(String queue, int records) throws Exception {
    try (Connection connection = connect("bench-preload");
        Channel channel = connection.createChannel()) {
      channel.queueDeclare(queue, true, false, false, null);
      channel.confirmSelect();
      int keys = settings.keys();
      AMQP.BasicProperties[] props = new AMQP.BasicProperties[keys];
      for (int k = 0; k < keys; k++) {
        props[k] =
            new AMQP.BasicProperties.Builder()
                .deliveryMode(2)
                .headers(Map.of("lanes-key", DrainPayload.key(k)))
                .build();
      }
      for (int i = 0; i < records; i++) {
        channel.basicPublish(
            "", queue, props[i % keys], DrainPayload.value(i % keys, i / keys, settings.size()));
        if ((i + 1) % CONFIRM_BATCH == 0) {
          channel.waitForConfirmsOrDie(60_000);
        }
      }
      channel.waitForConfirmsOrDie(60_000);
      long ready = channel.queueDeclarePassive(queue).getMessageCount();
      if (ready != records) {
        throw new IllegalStateException(
            "queue " + queue + " holds " + ready + " messages after preloading " + records);
      }
    }
  }

  @Override
  public AutoCloseable lanes(String queue, DrainTally tally) {
    return new LanesDrain(
        "amqp",
        Map.of(
            "amqp.uri",
            settings.amqpUri(),
            "amqp.queue",
            queue,
            "amqp.prefetch",
            settings.prefetch(),
            "amqp.ackBatch",
            settings.ackBatch(),
            "amqp.retryDelays",
            List.of(RETRY_TIER)),
        settings.lanes(),
        tally);
  }

  @Override
  public AutoCloseable raw(String queue, DrainTally tally) throws Exception {
    return new RawAmqpConsumer(
        connect("bench-raw-amqp"), queue, settings.prefetch(), settings.ackBatch(), tally);
  }

  /** The queue and the dead-letter and retry objects Lanes declared for it. */
  @Override
  public void delete(String queue) throws Exception {
    try (Connection connection = connect("bench-cleanup")) {
      for (String q :
          List.of(queue, queue + ".dlq", queue + ".retry." + RETRY_TIER, queue + ".retry.long")) {
        try (Channel channel = connection.createChannel()) {
          channel.queueDelete(q);
        }
      }
      try (Channel channel = connection.createChannel()) {
        channel.exchangeDelete(queue + ".dlx");
      }
    }
  }

  private Connection connect(String name) throws IOException, TimeoutException {
    ConnectionFactory factory = new ConnectionFactory();
    try {
      factory.setUri(settings.amqpUri());
    } catch (Exception e) {
      throw new IllegalArgumentException("amqpUri: " + e.getMessage(), e);
    }
    return factory.newConnection(name);
  }
}
