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
