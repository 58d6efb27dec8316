package dev.lanes.spi;

/**
 * A broker binding, found with {@link java.util.ServiceLoader}: list the implementation in {@code
 * META-INF/services/dev.lanes.spi.Transport}. Implementations need a public no-argument
 * constructor, hold no connections themselves and are thread-safe.
 */
public interface Transport {

  /** The name used in config ({@code transport = kafka}): {@code amqp}, {@code kafka}, ... */
  String name();

  /**
   * The OpenTelemetry {@code messaging.system} value for metrics, e.g. {@code rabbitmq} for the
   * {@code amqp} transport. Defaults to {@link #name()}.
   */
  default String messagingSystem() {
    return name();
  }

  /**
   * The {@link StopMode} of a task that sets no {@code stopMode}: the one that keeps per-key order
   * on this broker. {@link StopMode#FINISH_RUNNING} only where a delivery left unsettled at a stop
   * goes back to the broker at its original place (see {@link Acknowledger#release()}); the default
   * is {@link StopMode#DRAIN}, which hands nothing back that the lanes hold.
   */
  default StopMode defaultStopMode() {
    return StopMode.DRAIN;
  }

  /**
   * Creates (but does not start) the task's source, with what Lanes hands every transport: meters
   * scoped to the task (register the shared {@link TransportMeters} there), thread naming, a clock.
   * Validates the transport's config section eagerly.
   *
   * @throws dev.lanes.api.ReadyFailedException when the config section is invalid; the message
   *     names the key and what was expected
   */
  Source openSource(TransportContext context);

  /**
   * Opens a publisher to the task's own destination (the queue/topic its source consumes), used by
   * samples, tests and the runner's publish command. Publish counts and failures are counted by the
   * caller ({@link dev.lanes.runtime.MeteredPublisher}); register broker-specific publisher meters
   * on the context.
   *
   * @throws dev.lanes.api.ReadyFailedException when the config is invalid or the broker is
   *     unreachable
   */
  Publisher openPublisher(TransportContext context);

  /** {@link #openSource(TransportContext)} with a context whose meters go nowhere. */
  default Source openSource(TaskConfig task) {
    return openSource(TransportContext.of(task));
  }

  /** {@link #openPublisher(TransportContext)} with a context whose meters go nowhere. */
  default Publisher openPublisher(TaskConfig task) {
    return openPublisher(TransportContext.of(task));
  }
}
