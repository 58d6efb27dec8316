package dev.lanes.transport.amqp;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consume channel and its lives. A {@link ChannelKeeper} keeps it open; each time it is opened
 * or recovered it gets the {@link PrefetchWindow}, the topology again (after a loss: a broker
 * restart loses transient objects) and a new {@link DeliveryEpoch}, on which the {@link
 * SubscriptionReconciler} registers the consumers. Each time it is lost, its epoch turns stale: the
 * unacked deliveries are back with the broker, which redelivers them.
 *
 * <p>Thread-safe. Openings run one at a time (the caller of {@link #open()}, then the control
 * thread); losses are told on the connection's I/O thread.
 */
final class ConsumeChannel implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ConsumeChannel.class);

  private final String task;
  private final AmqpSettings settings;
  private final AmqpStats stats;
  private final PrefetchWindow window;
  private final SubscriptionReconciler subscriptions;
  private final Runnable redeclare;
  private final ChannelKeeper keeper;
  private volatile DeliveryEpoch epoch;

  /** Epochs so far; written by openings only. */
  private long epochs;

  ConsumeChannel(
      String task,
      AmqpSettings settings,
      AmqpStats stats,
      PrefetchWindow window,
      SubscriptionReconciler subscriptions,
      Runnable redeclare,
      Connection connection,
      ScheduledExecutorService control) {
    this.task = task;
    this.settings = settings;
    this.stats = stats;
    this.window = window;
    this.subscriptions = subscriptions;
    this.redeclare = redeclare;
    this.keeper =
        new ChannelKeeper(
            "task '" + task + "' consume channel",
            connection,
            this::channelOpened,
            this::channelLost,
            control,
            settings.recoveryInterval());
  }

  /** Opens the first channel and consumes on it, on the calling thread. */
  void open() throws IOException {
    keeper.open();
  }

  /** The current epoch, null before the first opening; it may turn stale at any moment. */
  DeliveryEpoch epoch() {
    return epoch;
  }

  private void channelOpened(Channel ch, boolean fresh) throws IOException {
    boolean first = epoch == null;
    window.applyTo(ch);
    if (!first) {
      redeclare.run();
    }
    DeliveryEpoch next =
        new DeliveryEpoch(
            task,
            ++epochs,
            ch,
            stats,
            settings.ackBatch(),
            settings.prefetch(),
            settings.ackInterval());
    epoch = next;
    subscriptions.consumeOn(next);
    if (!first) {
      stats.resubscribes.increment();
      log.info(
          "task {}: consume channel {}; resumed consuming queue '{}' (epoch {})",
          task,
          fresh ? "reopened" : "recovered",
          settings.queue(),
          next.number());
    }
  }

  private void channelLost(ShutdownSignalException cause) {
    DeliveryEpoch lost = epoch;
    long unacked = lost == null ? 0 : lost.markStale();
    stats.channelLosses.increment();
    stats.returnedOnChannelLoss.add(unacked);
    log.warn(
        "task {}: consume channel lost ({}); {} unacked deliveries of epoch {} go back to"
            + " the broker and will be redelivered; acks for them are skipped",
        task,
        BrokerReply.reason(cause),
        unacked,
        lost == null ? 0 : lost.number());
  }

  /**
   * Closes the channel, which hands every unacked delivery of the current epoch back to the broker
   * (the connection stays open).
   */
  @Override
  public void close() {
    keeper.close();
    DeliveryEpoch current = epoch;
    if (current != null) {
      long unacked = current.markStale();
      if (unacked > 0) {
        log.info(
            "task {}: closed with {} deliveries unacked; the broker redelivers them",
            task,
            unacked);
      }
    }
  }
}
