package dev.lanes.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The RabbitMQ baseline: one {@link DefaultConsumer} with manual acks, {@code basic.qos(prefetch)},
 * handling each delivery on the client's dispatch thread and sending {@code
 * basic.ack(multiple=true)} for every {@code ackBatch} deliveries; close cancels the consumer and
 * acks the tail.
 */
final class RawAmqpConsumer implements AutoCloseable {

  private final Connection connection;
  private final Channel channel;
  private final String consumerTag;
  private final CountDownLatch cancelled = new CountDownLatch(1);

  RawAmqpConsumer(Connection connection, String queue, int prefetch, int ackBatch, DrainTally tally)
      throws IOException {
    this.connection = connection;
    this.channel = connection.createChannel();
    channel.basicQos(prefetch);
    consumerTag =
        channel.basicConsume(
            queue,
            false,
            new DefaultConsumer(channel) {
              // only the channel's dispatch thread touches these
              private long lastTag;
              private long ackedTag;

              @Override
              public void handleDelivery(
                  String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body)
                  throws IOException {
                tally.handled(body);
                lastTag = envelope.getDeliveryTag();
                if (lastTag - ackedTag == ackBatch) {
                  channel.basicAck(lastTag, true);
                  ackedTag = lastTag;
                }
              }

              @Override
              public void handleCancelOk(String tag) {
                try {
                  if (lastTag > ackedTag) {
                    channel.basicAck(lastTag, true);
                    ackedTag = lastTag;
                  }
                } catch (IOException e) {
                  throw new IllegalStateException("acking the tail failed", e);
                } finally {
                  cancelled.countDown();
                }
              }
            });
  }

  @Override
  public void close() throws IOException, InterruptedException {
    channel.basicCancel(consumerTag);
    cancelled.await(5, TimeUnit.SECONDS);
    connection.close();
  }
}
