package dev.lanes.transport.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import dev.lanes.api.Message;
import dev.lanes.spi.Delivery;
import dev.lanes.spi.DeliverySink;
import dev.lanes.spi.Source;
import dev.lanes.spi.TransportContext;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes the task's work queue with manual acks and a prefetch window; with {@code partitions =
 * K}, its K partition queues, with one consumer each on the one consume channel (one delivery-tag
 * sequence, one prefetch window for the task). This class does the {@link Source} contract; the
 * broker plumbing is in the classes it starts:
 *
 * <ul>
 *   <li>{@link SourceConnections}: two connections, {@code consume} (deliveries and acks) and
 *       {@code publish} (retry copies and dead letters with confirms, see {@link
 *       BufferedPublisher}), both auto-recovering.
 *   <li>{@link ConsumeChannel}: each life of the consume channel is a {@link DeliveryEpoch}; after
 *       a loss the channel is recovered or reopened, topology re-declared, consumption resumed in a
 *       new epoch, and the old epoch's deliveries become stale (the broker redelivers them).
 *   <li>{@link SubscriptionReconciler}: the consumers. Backpressure: {@code prefetch} bounds what
 *       is in flight ({@link PrefetchWindow}); {@link #pause()} cancels the consumer and {@link
 *       #resume()} consumes again, except with partitions (see there).
 *   <li>{@link DeliveryGate}: hands deliveries to the dispatcher until {@link #stopReceiving()}.
 * </ul>
 *
 * <p>Stop: {@link #stopReceiving()} cancels the consumer (deliveries arriving after it are left
 * unacked; with partitions the consumers stay); {@link #flush()} waits for pending copies, acks
 * every finished delivery and waits until the broker processed the acks; {@link #close()} closes
 * the connections, which hands every unacked delivery back to the broker (and, with partitions,
 * each queue whose consumer was active to the next runner, after the broker has requeued what this
 * one left unacked).
 */
final class AmqpSource implements Source {

  private static final Logger log = LoggerFactory.getLogger(AmqpSource.class);

  private final TransportContext context;
  private final String task;
  private final AmqpSettings settings;
  private final Topology topology;
  private final AmqpStats stats = new AmqpStats();
  private final SourceConnections connections;
  private final PrefetchWindow window;
  private final DeliveryGate gate = new DeliveryGate(stats);
  private final SubscriptionReconciler subscriptions;
  private final AtomicBoolean closed = new AtomicBoolean();

  // opened by start
  private ConsumeChannel consumeChannel;
  private BufferedPublisher publisher;
  private BacklogPoller backlog;
  private ScheduledFuture<?> ackTicker;

  AmqpSource(TransportContext context, AmqpSettings settings) {
    this.context = context;
    this.task = context.task().name();
    this.settings = settings;
    this.topology = new Topology(context.task(), settings);
    AmqpMeters.register(stats, context.meters());
    this.connections = new SourceConnections(context, settings);
    this.window = new PrefetchWindow(settings);
    this.subscriptions =
        new SubscriptionReconciler(
            task, settings, window, this::received, this::redeclare, connections.control());
  }

  @Override
  public void start(DeliverySink deliverySink) {
    try {
      Connection connection = connections.openConsume();
      topology.apply(connection);
      publisher =
          new BufferedPublisher(
              task,
              connections.openPublish(),
              connections.control(),
              context.threads("amqp-publish", true),
              settings.publishBuffer(),
              settings.confirmTimeout(),
              settings.recoveryInterval(),
              stats);
      publisher.start(this::releaseHeld);
      gate.open(deliverySink);
      consumeChannel =
          new ConsumeChannel(
              task,
              settings,
              stats,
              window,
              subscriptions,
              this::redeclare,
              connection,
              connections.control());
      consumeChannel.open();
      subscriptions.awaitSubscribed();
      long tick = settings.ackInterval().toNanos();
      ackTicker =
          connections
              .control()
              .scheduleWithFixedDelay(this::flushDueAcks, tick, tick, TimeUnit.NANOSECONDS);
      backlog =
          new BacklogPoller(
              task,
              settings.workQueues(),
              connection,
              settings.backlogInterval(),
              context.threads("amqp-backlog", true));
      backlog.start();
      logConsuming();
    } catch (IOException | ShutdownSignalException e) {
      close();
      throw context
          .task()
          .failed(
              "amqp.queue",
              "cannot consume queue '"
                  + settings.queue()
                  + "' on "
                  + settings.maskedUri()
                  + ": "
                  + BrokerReply.reason(e),
              e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private void logConsuming() {
    List<String> queues = settings.workQueues();
    log.info(
        "task {}: consuming {} on {} (prefetch {})",
        task,
        settings.partitioned()
            ? "the "
                + queues.size()
                + " partition queues '"
                + queues.get(0)
                + "' … '"
                + queues.get(queues.size() - 1)
                + "' (single active consumer each)"
            : "queue '" + settings.queue() + "'",
        settings.maskedUri(),
        settings.prefetch());
  }

  /** Makes a delivery of what a queue consumer received and hands it on (consumer thread). */
  private void received(
      QueueConsumer from, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
    Message message =
        AmqpMessages.toMessage(
            envelope, props, body, settings.queue(), settings.partitioned() ? from.index() : -1);
    AmqpAcknowledger acknowledger =
        new AmqpAcknowledger(
            this, from.epoch(), envelope.getDeliveryTag(), from.queue(), message, props);
    gate.pass(new Delivery(message, acknowledger));
  }

  private void redeclare() {
    topology.applyAgain(connections.consume());
  }

  private DeliveryEpoch epoch() {
    ConsumeChannel channel = consumeChannel;
    return channel == null ? null : channel.epoch();
  }

  private void flushDueAcks() {
    DeliveryEpoch current = epoch();
    if (current != null) {
      current.flush(false);
    }
  }

  void releaseHeldIfPublisherIdle() {
    if (publisher.pending() == 0) {
      releaseHeld();
    }
  }

  private void releaseHeld() {
    DeliveryEpoch current = epoch();
    if (current != null) {
      int released = current.releaseHeld();
      if (released > 0) {
        log.warn(
            "task {}: publishing works again; {} deliveries whose retry/dead letter could"
                + " not be published were handed back to the queue",
            task,
            released);
      }
    }
  }

  @Override
  public void pause() {
    subscriptions.pause();
  }

  @Override
  public void resume() {
    subscriptions.resume();
  }

  @Override
  public void stopReceiving() {
    gate.close();
    subscriptions.stop();
  }

  @Override
  public void flush() {
    try {
      if (publisher != null && !publisher.awaitDrained(settings.flushTimeout())) {
        log.warn(
            "task {}: {} retries/dead letters still unconfirmed after {} ms; their"
                + " originals stay unacked",
            task,
            publisher.pending(),
            settings.flushTimeout().toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    DeliveryEpoch current = epoch();
    if (current == null || current.isStale()) {
      return;
    }
    current.flush(true);
    try {
      // a round trip after the acks: its reply means the broker has processed them
      window.applyTo(current.channel());
    } catch (IOException | ShutdownSignalException e) {
      log.warn("task {}: could not confirm that the last acks arrived: {}", task, e.toString());
    }
    log.info(
        "task {}: flushed; {} deliveries still unacked go back to the broker on close ({})",
        task,
        current.unacked(),
        stats);
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    gate.close();
    subscriptions.close();
    if (ackTicker != null) {
      ackTicker.cancel(false);
    }
    if (backlog != null) {
      backlog.close();
    }
    DeliveryEpoch current = epoch();
    if (current != null) {
      current.flush(true); // finished work is acked, whatever else happens
    }
    if (publisher != null) {
      publisher.close();
    }
    if (consumeChannel != null) {
      consumeChannel.close();
    }
    connections.close();
  }

  @Override
  public String destinationName() {
    return settings.queue();
  }

  /** Ready messages in the queue (as last polled) plus this source's unacked deliveries. */
  @Override
  public OptionalLong backlog() {
    BacklogPoller poller = backlog;
    OptionalLong ready = poller == null ? OptionalLong.empty() : poller.ready();
    if (ready.isEmpty()) {
      return ready;
    }
    return OptionalLong.of(ready.getAsLong() + unacked());
  }

  @Override
  public boolean isConnected() {
    DeliveryEpoch current = epoch();
    return !closed.get() && connections.isConsumeOpen() && current != null && !current.isStale();
  }

  /** See {@link SubscriptionReconciler#owned()}. */
  @Override
  public Optional<Set<String>> ownedPartitions() {
    return subscriptions.owned();
  }

  // ---- for the acknowledgers and tests

  String task() {
    return task;
  }

  AmqpSettings settings() {
    return settings;
  }

  RetryQueues retryQueues() {
    return topology.retryQueues();
  }

  AmqpStats stats() {
    return stats;
  }

  /** Times consumption resumed on a recovered or reopened channel. */
  @Override
  public OptionalLong reconnects() {
    return OptionalLong.of(stats.resubscribes.sum());
  }

  /** Unacked deliveries of channels that closed, which the broker redelivers. */
  @Override
  public OptionalLong redeliveries() {
    return OptionalLong.of(stats.returnedOnChannelLoss.sum());
  }

  BufferedPublisher publisher() {
    return publisher;
  }

  /** The current consume channel, to break it in tests. */
  Channel consumeChannel() {
    DeliveryEpoch current = epoch();
    return current == null ? null : current.channel();
  }

  /** Deliveries of the current channel the broker counts as unacked. */
  long unacked() {
    DeliveryEpoch current = epoch();
    return current == null ? 0 : current.unacked();
  }

  /** Deliveries of the current channel whose handler has not finished. */
  long unfinished() {
    DeliveryEpoch current = epoch();
    return current == null ? 0 : current.unfinished();
  }
}
