package dev.lanes.spi;

/**
 * Names of the transport meters whose concept every broker shares, so that a dashboard reads the
 * same on each (see docs/operations.md). Register them on {@link TransportContext#meters()} (the
 * counters through {@link TransportContext#countReconnects} and {@link
 * TransportContext#countRedeliveries}, which give them one description); the task's tags are added
 * there.
 */
public final class TransportMeters {

  /**
   * Gauge, 1 while the source is connected to its broker, else 0. The runtime registers it for
   * every transport from {@link Source#isConnected()}: transports do not.
   */
  public static final String CONNECTED = "lanes.transport.connected";

  /** Function counter: times the source reconnected or resubscribed after losing its broker. */
  public static final String RECONNECTS = "lanes.transport.reconnects";

  /**
   * Function counter: deliveries the broker will hand out again because the source lost them
   * (connection or channel lost, partition revoked) rather than because a handler asked.
   */
  public static final String REDELIVERIES = "lanes.transport.redeliveries";

  /**
   * Counter: messages a task's publisher handed to the broker (returned from {@link
   * Publisher#publish}, so confirmed where the broker confirms). Counted by {@link
   * dev.lanes.runtime.MeteredPublisher}: transports do not.
   */
  public static final String PUBLISHED = "lanes.transport.published";

  /** Counter: messages a task's publisher failed to hand to the broker (the publish threw). */
  public static final String PUBLISH_FAILURES = "lanes.transport.publish.failures";

  private TransportMeters() {}
}
