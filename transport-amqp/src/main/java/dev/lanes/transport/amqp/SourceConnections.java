package dev.lanes.transport.amqp;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import dev.lanes.spi.TransportContext;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A source's two connections and the threads that serve them: {@code consume} (deliveries and acks;
 * consumer callbacks on the one thread {@code lanes-<task>-amqp-consume}) and {@code publish}
 * (retry copies and dead letters), both auto-recovering (see {@link Connections}); and the control
 * thread {@code lanes-<task>-amqp-control}, which reopens channels, re-subscribes and flushes acks.
 * {@link #close()} closes the connections, which hands every unacked delivery back to the broker,
 * then stops the threads.
 */
final class SourceConnections implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SourceConnections.class);

  private final TransportContext context;
  private final String task;
  private final AmqpSettings settings;
  private final ExecutorService consumerThread;
  private final ScheduledExecutorService control;
  private ConnectionFactory factory;
  private volatile Connection consume;
  private Connection publish;

  SourceConnections(TransportContext context, AmqpSettings settings) {
    this.context = context;
    this.task = context.task().name();
    this.settings = settings;
    this.consumerThread = Executors.newSingleThreadExecutor(context.threads("amqp-consume", true));
    this.control =
        Executors.newSingleThreadScheduledExecutor(context.threads("amqp-control", true));
  }

  /** The control thread; it stops with {@link #close()}. */
  ScheduledExecutorService control() {
    return control;
  }

  /**
   * @throws dev.lanes.api.ReadyFailedException when the broker cannot be reached or refuses the
   *     login
   */
  Connection openConsume() {
    factory = Connections.factory(context, settings);
    consume = Connections.open(factory, context.task(), settings, "consume", consumerThread);
    return consume;
  }

  /** Opens the publish connection, after {@link #openConsume()}. */
  Connection openPublish() {
    publish = Connections.open(factory, context.task(), settings, "publish", null);
    return publish;
  }

  /** The consume connection, null before {@link #openConsume()}. */
  Connection consume() {
    return consume;
  }

  boolean isConsumeOpen() {
    Connection current = consume;
    return current != null && current.isOpen();
  }

  @Override
  public void close() {
    closeQuietly(publish);
    closeQuietly(consume);
    control.shutdownNow();
    consumerThread.shutdownNow();
    awaitQuietly(control);
    awaitQuietly(consumerThread);
  }

  private void closeQuietly(Connection conn) {
    if (conn != null) {
      try {
        conn.close(Math.toIntExact(settings.connectionTimeout().toMillis()));
      } catch (IOException | ShutdownSignalException e) {
        conn.abort();
      }
    }
  }

  private void awaitQuietly(ExecutorService executor) {
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("task {}: an AMQP thread did not stop within 5 s", task);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
