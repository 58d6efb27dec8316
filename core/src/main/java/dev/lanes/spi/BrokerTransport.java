package dev.lanes.spi;

import java.util.Objects;
import java.util.function.Function;

/**
 * A base for a broker's {@link Transport} that is declared, not written: the name used in config,
 * the {@code messaging.system} metric tag, the {@link StopMode} that keeps per-key order on the
 * broker, how the task's config section is read into settings, and how a source and a publisher
 * open from those settings. Each open reads the section again, so a reload sees the task's current
 * config; a section that does not read fails the open before anything connects. Subclasses say in
 * their class comment why their default stop mode is the right one for their broker. Holds nothing
 * else; thread-safe.
 *
 * @param <S> the transport's settings, read from the task's config section
 */
public abstract class BrokerTransport<S> implements Transport {

  /**
   * Opens a source or a publisher of a task from its read settings.
   *
   * @param <S> the transport's settings
   * @param <T> what it opens
   */
  @FunctionalInterface
  public interface Opener<S, T> {

    /**
     * @throws dev.lanes.api.ReadyFailedException as {@link Transport#openSource} and {@link
     *     Transport#openPublisher} say
     */
    T open(TransportContext context, S settings);
  }

  private final String name;
  private final String messagingSystem;
  private final StopMode defaultStopMode;
  private final Function<TaskConfig, S> settings;
  private final Opener<S, ? extends Source> source;
  private final Opener<S, ? extends Publisher> publisher;

  /**
   * @param name the name in config ({@code transport = amqp})
   * @param messagingSystem the OpenTelemetry {@code messaging.system} value ({@code rabbitmq})
   * @param defaultStopMode the stop mode of a task that sets none (see {@link
   *     Transport#defaultStopMode()})
   * @param settings reads and validates the task's section, throwing {@link
   *     dev.lanes.api.ReadyFailedException} naming the key when it is invalid
   * @param source creates (does not start) the task's source
   * @param publisher opens a publisher to the task's destination
   */
  protected BrokerTransport(
      String name,
      String messagingSystem,
      StopMode defaultStopMode,
      Function<TaskConfig, S> settings,
      Opener<S, ? extends Source> source,
      Opener<S, ? extends Publisher> publisher) {
    this.name = Objects.requireNonNull(name, "name");
    this.messagingSystem = Objects.requireNonNull(messagingSystem, "messagingSystem");
    this.defaultStopMode = Objects.requireNonNull(defaultStopMode, "defaultStopMode");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.source = Objects.requireNonNull(source, "source");
    this.publisher = Objects.requireNonNull(publisher, "publisher");
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

  @Override
  public final Source openSource(TransportContext context) {
    return source.open(context, settings.apply(context.task()));
  }

  @Override
  public final Publisher openPublisher(TransportContext context) {
    return publisher.open(context, settings.apply(context.task()));
  }
}
