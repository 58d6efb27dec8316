package dev.lanes.transport.amqp;

import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one channel usable on an auto-recovering connection, the plumbing apart from the message
 * flow. The client library reopens channels after a connection loss, but not after a channel-level
 * error (a broker-side {@code consumer_timeout}, an unknown delivery tag, a missing exchange): this
 * class reopens the channel then, and tells its owner about every loss and every (re)opening, so
 * the owner can re-declare, re-subscribe and start a new delivery-tag epoch.
 *
 * <p>Thread-safe. {@link LossListener#lost} runs on the connection's I/O thread; {@link
 * OpenListener#opened} runs on the given executor (or the caller of {@link #open()}).
 */
final class ChannelKeeper implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ChannelKeeper.class);

  /** Told when a channel is ready. */
  @FunctionalInterface
  interface OpenListener {
    /**
     * A channel is ready: new ({@code fresh}, set it up completely) or recovered with its
     * connection (the client restored its qos and confirm mode and its listeners).
     */
    void opened(Channel channel, boolean fresh) throws IOException;
  }

  /** Told when the channel closed without our asking; must not block. */
  @FunctionalInterface
  interface LossListener {
    void lost(ShutdownSignalException cause);
  }

  private final String what;
  private final Connection connection;
  private final OpenListener onOpen;
  private final LossListener onLoss;
  private final ScheduledExecutorService executor;
  private final Duration retryDelay;
  private final ShutdownListener onShutdown = this::channelShutdown;
  private volatile Channel channel;
  private volatile boolean closing;

  /**
   * @param what names the channel in logs, e.g. {@code task 't' consume channel}
   * @param connection an auto-recovering connection
   * @param executor runs reopening and {@code onOpen}; one thread keeps them ordered
   * @param retryDelay pause before reopening after a channel-level error
   */
  ChannelKeeper(
      String what,
      Connection connection,
      OpenListener onOpen,
      LossListener onLoss,
      ScheduledExecutorService executor,
      Duration retryDelay) {
    this.what = what;
    this.connection = connection;
    this.onOpen = onOpen;
    this.onLoss = onLoss;
    this.executor = executor;
    this.retryDelay = retryDelay;
    ((Recoverable) connection)
        .addRecoveryListener(
            new RecoveryListener() {
              @Override
              public void handleRecovery(Recoverable recoverable) {
                submit(ChannelKeeper.this::afterConnectionRecovery);
              }

              @Override
              public void handleRecoveryStarted(Recoverable recoverable) {
                // losses are reported by the channel's own shutdown listener
              }
            });
  }

  /** Opens the first channel on the calling thread; failures propagate. */
  void open() throws IOException {
    Channel created = connection.createChannel();
    created.addShutdownListener(onShutdown);
    channel = created;
    onOpen.opened(created, true);
  }

  /** The current channel; it may be closed at any moment. */
  Channel channel() {
    return channel;
  }

  private void channelShutdown(ShutdownSignalException cause) {
    if (closing) {
      return;
    }
    onLoss.lost(cause);
    if (!cause.isHardError()) {
      // a channel-level error: the connection lives on, but the client will not reopen this one
      log.warn(
          "{} was closed by the broker: {}; reopening in {} ms",
          what,
          BrokerReply.reason(cause),
          retryDelay.toMillis());
      schedule(this::reopen);
    } else {
      log.warn(
          "{} lost with its connection: {}; the client reconnects every {} ms",
          what,
          BrokerReply.reason(cause),
          retryDelay.toMillis());
    }
  }

  private void afterConnectionRecovery() {
    Channel current = channel;
    if (closing) {
      return;
    }
    if (current != null && current.isOpen()) {
      notifyOpened(current, false);
    } else {
      reopen();
    }
  }

  private void reopen() {
    if (closing || !connection.isOpen()) {
      return; // connection recovery calls afterConnectionRecovery when it is back
    }
    Channel old = channel;
    if (old != null && !old.isOpen()) {
      old.removeShutdownListener(onShutdown);
      abortQuietly(old); // unregisters it, so connection recovery will not resurrect it
    }
    Channel created;
    try {
      created = connection.createChannel();
    } catch (IOException | AlreadyClosedException e) {
      log.warn(
          "{}: cannot open a channel ({}); trying again in {} ms",
          what,
          e.toString(),
          retryDelay.toMillis());
      schedule(this::reopen);
      return;
    }
    created.addShutdownListener(onShutdown);
    channel = created;
    notifyOpened(created, true);
  }

  private void notifyOpened(Channel opened, boolean fresh) {
    try {
      onOpen.opened(opened, fresh);
    } catch (IOException | ShutdownSignalException e) {
      // a channel-level failure closed the channel: its shutdown listener schedules a reopen
      log.error(
          "{}: could not resume on the {} channel: {}",
          what,
          fresh ? "reopened" : "recovered",
          BrokerReply.reason(e));
    }
  }

  private void submit(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      // closing: nothing to resume
    }
  }

  private void schedule(Runnable task) {
    try {
      executor.schedule(task, retryDelay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closing: nothing to reopen
    }
  }

  /** Stops reopening and closes the channel; its connection stays open. */
  @Override
  public void close() {
    closing = true;
    Channel current = channel;
    if (current != null && current.isOpen()) {
      try {
        current.close();
      } catch (IOException | java.util.concurrent.TimeoutException | ShutdownSignalException e) {
        abortQuietly(current);
      }
    }
  }

  private static void abortQuietly(Channel channel) {
    try {
      channel.abort();
    } catch (IOException | ShutdownSignalException e) {
      // already gone
    }
  }
}
