package dev.lanes.transport.amqp;

import dev.lanes.spi.Publisher;
import dev.lanes.spi.Source;
import dev.lanes.spi.StopMode;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.Transport;

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

  @Override
  public Source openSource(TaskConfig task) {
    return new AmqpSource(task.name(), AmqpSettings.of(task));
  }

  @Override
  public Publisher openPublisher(TaskConfig task) {
    return new AmqpPublisher(task.name(), AmqpSettings.of(task));
  }
}
