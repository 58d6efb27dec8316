package dev.lanes.transport.amqp;

import dev.lanes.spi.Delivery;
import dev.lanes.spi.DeliverySink;

/**
 * Hands deliveries to the dispatcher's sink from {@link #open} until {@link #close}, and orders the
 * two: once {@code close()} returned, no delivery reaches the sink. A delivery turned away is left
 * unacked; it returns to the broker when the channel closes. Thread-safe.
 */
final class DeliveryGate {

  private final AmqpStats stats;
  private final Object lock = new Object();

  /** Null while closed; guarded by lock. */
  private DeliverySink sink;

  DeliveryGate(AmqpStats stats) {
    this.stats = stats;
  }

  void open(DeliverySink deliverySink) {
    synchronized (lock) {
      sink = deliverySink;
    }
  }

  void close() {
    synchronized (lock) {
      sink = null;
    }
  }

  /** Hands {@code delivery} to the sink, or (closed) counts it as arrived after the stop. */
  void pass(Delivery delivery) {
    synchronized (lock) {
      if (sink == null) {
        stats.afterStop.increment();
        return;
      }
      stats.delivered.increment();
      sink.accept(delivery);
    }
  }
}
