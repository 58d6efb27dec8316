package dev.lanes.spi;

import java.util.Objects;

/**
 * A base for a broker's {@link Transport} that states its identity once, in the constructor: the
 * name used in config, the {@code messaging.system} metric tag and the {@link StopMode} that keeps
 * per-key order on the broker. Subclasses implement only how a source and a publisher are opened,
 * and say in their class comment why their default stop mode is the right one for their broker.
 * Holds nothing else; thread-safe.
 */
public abstract class BrokerTransport implements Transport {

  private final String name;
  private final String messagingSystem;
  private final StopMode defaultStopMode;

  /**
   * @param name the name in config ({@code transport = amqp})
   * @param messagingSystem the OpenTelemetry {@code messaging.system} value ({@code rabbitmq})
   * @param defaultStopMode the stop mode of a task that sets none (see {@link
   *     Transport#defaultStopMode()})
   */
  protected BrokerTransport(String name, String messagingSystem, StopMode defaultStopMode) {
    this.name = Objects.requireNonNull(name, "name");
    this.messagingSystem = Objects.requireNonNull(messagingSystem, "messagingSystem");
    this.defaultStopMode = Objects.requireNonNull(defaultStopMode, "defaultStopMode");
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final String messagingSystem() {
    return messagingSystem;
  }

  @Override
  public final StopMode defaultStopMode() {
    return defaultStopMode;
  }
}
