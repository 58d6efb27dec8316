package dev.lanes.transport.amqp;

import dev.lanes.spi.BrokerTransport;
import dev.lanes.spi.StopMode;

/**
 * RabbitMQ (AMQP 0-9-1) through {@code com.rabbitmq:amqp-client}: {@code transport = amqp},
 * settings in the task's {@code amqp { ... }} block; {@code messaging.system} {@code rabbitmq}.
 * Holds no connections; thread-safe.
 *
 * <p>Default stop mode {@code finish-running}: a delivery a stop releases stays unacked until the
 * channel closes, and RabbitMQ puts it back at its original place in the queue.
 */
public final class AmqpTransport extends BrokerTransport<AmqpSettings> {

  public AmqpTransport() {
    super(
        "amqp",
        "rabbitmq",
        StopMode.FINISH_RUNNING,
        AmqpSettings::of,
        AmqpSource::new,
        AmqpPublisher::new);
  }
}
