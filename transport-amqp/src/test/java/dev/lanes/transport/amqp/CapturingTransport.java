package dev.lanes.transport.amqp;

import dev.lanes.spi.Publisher;
import dev.lanes.spi.Source;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.Transport;

/** The AMQP transport, keeping the last source it opened so tests can read its counters. */
final class CapturingTransport implements Transport {

  private final AmqpTransport delegate = new AmqpTransport();
  private volatile AmqpSource source;

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public String messagingSystem() {
    return delegate.messagingSystem();
  }

  @Override
  public Source openSource(TaskConfig task) {
    source = (AmqpSource) delegate.openSource(task);
    return source;
  }

  @Override
  public Publisher openPublisher(TaskConfig task) {
    return delegate.openPublisher(task);
  }

  AmqpSource source() {
    return source;
  }
}
