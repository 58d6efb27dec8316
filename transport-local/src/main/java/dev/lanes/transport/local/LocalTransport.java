package dev.lanes.transport.local;

import dev.lanes.spi.BrokerTransport;
import dev.lanes.spi.Source;
import dev.lanes.spi.StopMode;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.TransportContext;

/**
 * The {@code local} transport: Lanes' embedded durable queue, one SQLite file (WAL mode) per data
 * directory, for tasks on one machine. No broker to run; several tasks and processes may share a
 * data directory. Delayed delivery: see {@link LocalHeaders} and {@link LocalPublisher}. Config:
 * the task's {@code local { ... }} block ({@link LocalSettings}). Thread-safe and stateless.
 *
 * <p>Default stop mode {@code finish-running}: a row a stop releases is given back when the source
 * closes, due at its old time, so it comes again in its place.
 */
public final class LocalTransport extends BrokerTransport {

  /** The transport's name in config and its {@code messaging.system} metric tag. */
  public static final String NAME = "local";

  public LocalTransport() {
    super(NAME, NAME, StopMode.FINISH_RUNNING);
  }

  /** Validates the {@code local} block; the store is opened by {@link Source#start}. */
  @Override
  public Source openSource(TransportContext context) {
    return new LocalSource(context, LocalSettings.from(context.task()));
  }

  /**
   * Opens the task's store now.
   *
   * @throws dev.lanes.api.ReadyFailedException when the config is invalid or the data directory or
   *     store file cannot be used
   */
  @Override
  public LocalPublisher openPublisher(TransportContext context) {
    TaskConfig task = context.task();
    LocalSettings settings = LocalSettings.from(task);
    return new LocalPublisher(LocalStore.acquire(task, settings.dataDir()), settings.queue());
  }

  /** {@link #openPublisher(TransportContext)} with a context whose meters go nowhere. */
  @Override
  public LocalPublisher openPublisher(TaskConfig task) {
    return openPublisher(TransportContext.of(task));
  }
}
