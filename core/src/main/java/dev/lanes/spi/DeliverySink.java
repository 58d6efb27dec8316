package dev.lanes.spi;

/**
 * Where a {@link Source} hands its deliveries: the dispatcher. {@link #accept} never blocks; when
 * lanes fill up the dispatcher calls {@link Source#pause()}, so a source must stop fetching soon
 * after that. Thread-safe.
 */
@FunctionalInterface
public interface DeliverySink {

  /** Takes ownership of settling {@code delivery}. */
  void accept(Delivery delivery);
}
