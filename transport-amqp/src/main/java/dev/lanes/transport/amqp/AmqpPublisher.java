package dev.lanes.transport.amqp;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Return;
import com.rabbitmq.client.ShutdownSignalException;
import dev.lanes.api.Message;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.TransportContext;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes to the task's exchange with its routing key ({@code amqp.key}), mandatory and with
 * publisher confirms; the message key travels in the {@value AmqpMessages#KEY} header and the id in
 * {@code message-id}. Declares (or checks) the task's topology when opened, so messages published
 * before any consumer started wait in the queue. Thread-safe (calls are serialized).
 */
final class AmqpPublisher implements Publisher {

  private final String task;
  private final AmqpSettings settings;
  private final Connection connection;
  private final Channel channel;
  private final ConcurrentLinkedQueue<Return> returns = new ConcurrentLinkedQueue<>();

  /** Channel losses so far: confirms awaited across a loss belong to another channel. */
  private final AtomicLong losses = new AtomicLong();

  AmqpPublisher(TransportContext context, AmqpSettings settings) {
    this.task = context.task().name();
    this.settings = settings;
    this.connection =
        Connections.open(
            Connections.factory(context, settings), context.task(), settings, "producer", null);
    try {
      new Topology(context.task(), settings).apply(connection);
      channel = connection.createChannel();
      channel.confirmSelect();
      channel.addReturnListener(returns::add);
      channel.addShutdownListener(cause -> losses.incrementAndGet());
    } catch (IOException | RuntimeException e) {
      connection.abort();
      throw e instanceof ReadyFailedException ready
          ? ready
          : new ReadyFailedException(
              "task '"
                  + task
                  + "': cannot open a publishing channel on "
                  + settings.maskedUri()
                  + ": "
                  + e,
              e);
    }
  }

  @Override
  public void publish(Message message) throws Exception {
    publishAll(List.of(message));
  }

  /**
   * Publishes the messages in order and waits for all their confirms at once.
   *
   * @throws IOException when the broker nacked or returned one of them, or the connection was lost
   *     meanwhile (some may have been sent)
   * @throws TimeoutException when confirms did not arrive within {@code amqp.confirmTimeout}
   */
  @Override
  public synchronized void publishAll(List<Message> messages) throws Exception {
    returns.clear();
    long lossesBefore = losses.get();
    for (Message message : messages) {
      channel.basicPublish(
          settings.exchange(),
          settings.key(),
          true,
          AmqpMessages.forPublish(message, settings.durable()),
          message.payload());
    }
    try {
      channel.waitForConfirmsOrDie(settings.confirmTimeout().toMillis());
    } catch (ShutdownSignalException e) {
      throw new IOException(
          "task '"
              + task
              + "': the broker did not confirm "
              + messages.size()
              + " messages: "
              + BrokerReply.reason(e),
          e);
    }
    if (losses.get() != lossesBefore) {
      // the client recovered the channel meanwhile: the confirms it saw were not for these
      throw new IOException(
          "task '"
              + task
              + "': the connection was lost while publishing "
              + messages.size()
              + " messages; some may not have been sent");
    }
    Return returned = returns.poll();
    if (returned != null) {
      throw new IOException(
          "task '"
              + task
              + "': the broker returned a message published to"
              + " exchange '"
              + settings.exchange()
              + "' with key '"
              + settings.key()
              + "': "
              + returned.getReplyText()
              + " (no queue is bound with that key)");
    }
  }

  @Override
  public synchronized void close() {
    try {
      connection.close(Math.toIntExact(settings.connectionTimeout().toMillis()));
    } catch (IOException | ShutdownSignalException e) {
      connection.abort();
    }
  }
}
