package dev.lanes.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.lanes.spi.Transport;
import dev.lanes.transport.amqp.AmqpTransport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * RabbitMQ: one fresh durable classic queue per run on the default exchange, transient messages
 * published without confirms, and as the baseline an amqp-client {@link DefaultConsumer} with
 * Lanes' defaults: prefetch 256 per consumer, manual acks, one multiple-ack per 64 deliveries.
 */
final class AmqpLatency implements LatencyTransport {

  static final int PREFETCH = 256;
  static final int ACK_BATCH = 64;

  private final String uri;
  private final ConnectionFactory factory = new ConnectionFactory();
  private final Connection connection;
  private final Channel channel;
  private final List<String> queues = new ArrayList<>();

  AmqpLatency(String uri) throws Exception {
    this.uri = uri;
    factory.setUri(uri);
    AtomicInteger threads = new AtomicInteger();
    factory.setThreadFactory(r -> new Thread(r, "bench-amqp-" + threads.incrementAndGet()));
    this.connection = factory.newConnection("lanes-bench-latency-producer");
    this.channel = connection.createChannel();
  }

  @Override
  public String name() {
    return "amqp";
  }

  @Override
  public String rawName() {
    return "amqp-client consumer";
  }

  @Override
  public boolean ordered() {
    return true;
  }

  @Override
  public Transport transport() {
    return new AmqpTransport();
  }

  @Override
  public String newDestination() throws IOException {
    String queue = "bench.latency." + UUID.randomUUID();
    channel.queueDeclare(queue, true, false, false, null); // as Lanes declares it
    queues.add(queue);
    return queue;
  }

  @Override
  public Map<String, Object> lanesConfig(String queue) {
    return Map.of(
        "transport",
        "amqp",
        "amqp.uri",
        uri,
        "amqp.queue",
        queue,
        "amqp.retryDelays",
        List.of("1s"));
  }

  @Override
  public PacedProducer.Sender sender(String queue) {
    return batch -> {
      for (PacedProducer.Due due : batch) {
        channel.basicPublish("", queue, null, due.payload());
      }
    };
  }

  @Override
  public AutoCloseable startRaw(String queue, LatencyProbe probe) throws Exception {
    Connection raw = factory.newConnection("lanes-bench-latency-raw");
    Channel ch = raw.createChannel();
    ch.basicQos(PREFETCH, false);
    ch.basicConsume(
        queue,
        false,
        new DefaultConsumer(ch) {
          private int unacked; // deliveries of one channel come one at a time

          @Override
          public void handleDelivery(
              String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
              throws IOException {
            probe.received(body);
            if (++unacked == ACK_BATCH) {
              ch.basicAck(envelope.getDeliveryTag(), true);
              unacked = 0;
            }
          }
        });
    return raw::close; // what is left unacked goes back to the queue, which is deleted
  }

  @Override
  public void close() throws Exception {
    try {
      for (String queue : queues) {
        // what Lanes declared next to its queue (amqp.retryDelays = [1s])
        for (String q :
            List.of(queue, queue + ".dlq", queue + ".retry.1s", queue + ".retry.long")) {
          channel.queueDelete(q);
        }
        channel.exchangeDelete(queue + ".dlx");
      }
    } finally {
      connection.close();
    }
  }
}
