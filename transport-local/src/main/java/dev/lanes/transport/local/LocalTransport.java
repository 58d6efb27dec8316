package dev.lanes.transport.local;

import dev.lanes.spi.BrokerTransport;
import dev.lanes.spi.StopMode;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.TransportContext;

/**
 * The {@code local} transport: Lanes' embedded durable queue, one SQLite file (WAL mode) per data
 * directory, for tasks on one machine. No broker to run; several tasks and processes may share a
 * data directory. Delayed delivery: see {@link LocalHeaders} and {@link LocalPublisher}. Config:
 * the task's {@code local { ... }} block ({@link LocalSettings}). Thread-safe and stateless.
 *
 * <p>Opening a source validates the {@code local} block (the store is opened by {@link
 * dev.lanes.spi.Source#start}); opening a publisher opens the task's store at once.
 *
 * <p>Default stop mode {@code finish-running}: a row a stop releases is given back when the source
 * closes, due at its old time, so it comes again in its place.
 */
public final class LocalTransport extends BrokerTransport<LocalSettings> {

  /** The transport's name in config and its {@code messaging.system} metric tag. */
  public static final String NAME = "local";

  public LocalTransport() {
    super(
        NAME,
        NAME,
        StopMode.FINISH_RUNNING,
        LocalSettings::from,
        LocalSource::new,
        LocalPublisher::open);
  }

  /** {@link #openPublisher(TransportContext)} with a context whose meters go nowhere. */
  @Override
  public LocalPublisher openPublisher(TaskConfig task) {
    return LocalPublisher.open(TransportContext.of(task), LocalSettings.from(task));
  }
}
