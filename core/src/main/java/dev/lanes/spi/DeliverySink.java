package dev.lanes.spi;

import java.util.List;

/**
 * Where a {@link Source} hands its deliveries: the dispatcher. {@link #accept} never blocks; when
 * lanes fill up the dispatcher calls {@link Source#pause()}, so a source must stop fetching soon
 * after that. Thread-safe.
 */
@FunctionalInterface
public interface DeliverySink {

  /** Takes ownership of settling {@code delivery}. */
  void accept(Delivery delivery);

  /**
   * Takes ownership of settling every one of {@code deliveries}, as {@link #accept} would one after
   * the other in list order; a source that receives in batches (a Kafka poll) hands each batch here
   * so the dispatcher queues it per lane at once and wakes each lane at most once. Never blocks;
   * the caller may reuse the list once this returns.
   */
  default void acceptAll(List<Delivery> deliveries) {
    for (Delivery delivery : deliveries) {
      accept(delivery);
    }
  }

  /**
   * The source can deliver nothing more and will not recover by itself (e.g. its poll loop died on
   * an unexpected error). The runtime then stops the task — the lanes finish what they hold, acks
   * are flushed, the source is closed — and the task ends {@code FAILED}, so the runner raises an
   * alert and exits non-zero instead of idling as if there were no messages. Not for outages the
   * client recovers from (reconnects). Call it at most once, from any thread but never while
   * holding a lock that {@link Source#stopReceiving()} or {@link Source#close()} needs; it returns
   * at once.
   */
  default void sourceFailed(Throwable cause) {}
}
