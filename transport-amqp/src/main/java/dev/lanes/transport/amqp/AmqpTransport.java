package dev.lanes.transport.amqp;

import dev.lanes.spi.BrokerTransport;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.Source;
import dev.lanes.spi.StopMode;
import dev.lanes.spi.TransportContext;
import dev.lanes.spi.TransportMeters;
import java.util.concurrent.atomic.LongAdder;

/**
 * RabbitMQ (AMQP 0-9-1) through {@code com.rabbitmq:amqp-client}: {@code transport = amqp},
 * settings in the task's {@code amqp { ... }} block; {@code messaging.system} {@code rabbitmq}.
 * Holds no connections; thread-safe.
 *
 * <p>Default stop mode {@code finish-running}: a delivery a stop releases stays unacked until the
 * channel closes, and RabbitMQ puts it back at its original place in the queue.
 */
public final class AmqpTransport extends BrokerTransport {

  public AmqpTransport() {
    super("amqp", "rabbitmq", StopMode.FINISH_RUNNING);
  }

  /**
   * The source, with its reconnects (consumption resumed on a recovered or reopened channel) and
   * redeliveries (unacked deliveries of lost channels) as the shared {@link TransportMeters}.
   */
  @Override
  public Source openSource(TransportContext context) {
    AmqpSource source = new AmqpSource(context, AmqpSettings.of(context.task()));
    context.countReconnects(source.stats().resubscribes, LongAdder::sum);
    context.countRedeliveries(source.stats().returnedOnChannelLoss, LongAdder::sum);
    return source;
  }

  @Override
  public Publisher openPublisher(TransportContext context) {
    return new AmqpPublisher(context, AmqpSettings.of(context.task()));
  }
}
