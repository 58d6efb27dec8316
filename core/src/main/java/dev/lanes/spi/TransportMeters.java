package dev.lanes.spi;

/**
 * Names of the transport meters whose concept every broker shares, so that a dashboard reads the
 * same on each (see docs/operations.md). The runtime registers all of them, with the task's tags,
 * from what the SPI reports ({@link Source#isConnected()}, {@link Source#reconnects()}, {@link
 * Source#redeliveries()}, publishes through {@link dev.lanes.runtime.MeteredPublisher}): a
 * transport registers none of them itself, only meters of its own broker on {@link
 * TransportContext#meters()}.
 */
public final class TransportMeters {

  /**
   * Gauge, 1 while the source is connected to its broker, else 0. The runtime registers it for
   * every transport from {@link Source#isConnected()}: transports do not.
   */
  public static final String CONNECTED = "lanes.transport.connected";

  /** Function counter of {@link Source#reconnects()}, where present. */
  public static final String RECONNECTS = "lanes.transport.reconnects";

  /** Function counter of {@link Source#redeliveries()}, where present. */
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
