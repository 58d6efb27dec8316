package dev.lanes.transport.amqp;

import dev.lanes.spi.Publisher;
import dev.lanes.spi.Source;
import dev.lanes.spi.StopMode;
import dev.lanes.spi.Transport;
import dev.lanes.spi.TransportContext;
import dev.lanes.spi.TransportMeters;

/**
 * RabbitMQ (AMQP 0-9-1) through {@code com.rabbitmq:amqp-client}: {@code transport = amqp},
 * settings in the task's {@code amqp { ... }} block. Holds no connections; thread-safe.
 */
public final class AmqpTransport implements Transport {

  @Override
  public String name() {
    return "amqp";
  }

  /**
   * {@code finish-running}: a delivery a stop releases stays unacked until the channel closes, and
   * RabbitMQ puts it back at its original place in the queue.
   */
  @Override
  public StopMode defaultStopMode() {
    return StopMode.FINISH_RUNNING;
  }

  @Override
  public String messagingSystem() {
    return "rabbitmq";
  }

  /**
   * The source, with its reconnects (consumption resumed on a recovered or reopened channel) and
   * redeliveries (unacked deliveries of lost channels) as the shared {@link TransportMeters}.
   */
  @Override
  public Source openSource(TransportContext context) {
    AmqpSource source = new AmqpSource(context, AmqpSettings.of(context.task()));
    AmqpStats stats = source.stats();
    context.count(
        TransportMeters.RECONNECTS,
        stats.resubscribes,
        "Times consumption resumed on a recovered or reopened channel");
    context.count(
        TransportMeters.REDELIVERIES,
        stats.returnedOnChannelLoss,
        "Unacked deliveries of lost channels, which the broker redelivers");
    return source;
  }

  @Override
  public Publisher openPublisher(TransportContext context) {
    return new AmqpPublisher(context, AmqpSettings.of(context.task()));
  }
}
