package dev.lanes.transport.amqp;

import dev.lanes.spi.Publisher;
import dev.lanes.spi.Source;
import dev.lanes.spi.Transport;
import dev.lanes.spi.TransportContext;

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
  public Source openSource(TransportContext context) {
    source = (AmqpSource) delegate.openSource(context);
    return source;
  }

  @Override
  public Publisher openPublisher(TransportContext context) {
    return delegate.openPublisher(context);
  }

  AmqpSource source() {
    return source;
  }
}
