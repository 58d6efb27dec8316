package dev.lanes.transport.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Consumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import dev.lanes.api.Message;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.spi.Delivery;
import dev.lanes.spi.DeliverySink;
import dev.lanes.spi.Source;
import dev.lanes.spi.TransportContext;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes the task's work queue with manual acks and a prefetch window; with {@code partitions =
 * K}, its K partition queues, with one consumer each on the one consume channel (one delivery-tag
 * sequence, one prefetch window for the task).
 *
 * <ul>
 *   <li>Two connections: {@code consume} (deliveries and acks) and {@code publish} (retry copies
 *       and dead letters with confirms, see {@link BufferedPublisher}), both auto-recovering.
 *   <li>Backpressure: {@code prefetch} bounds what is in flight; {@link #pause()} cancels the
 *       consumer and {@link #resume()} consumes again (on thread {@code
 *       lanes-<task>-amqp-control}). With partitions it does not cancel: each partition queue has a
 *       single active consumer, and cancelling the active one would make the broker hand the queue
 *       to another runner while this one still holds earlier messages of its keys. The prefetch
 *       window is then the only bound.
 *   <li>Each life of the consume channel is a {@link DeliveryEpoch}; after a loss the channel is
 *       recovered or reopened, topology re-declared, consumption resumed in a new epoch, and the
 *       old epoch's deliveries become stale (the broker redelivers them).
 *   <li>Stop: {@link #stopReceiving()} cancels the consumer (deliveries arriving after it are left
 *       unacked; with partitions the consumers stay, for the reason above); {@link #flush()} waits
 *       for pending copies, acks every finished delivery and waits until the broker processed the
 *       acks; {@link #close()} closes the connections, which hands every unacked delivery back to
 *       the broker (and, with partitions, each queue whose consumer was active to the next runner,
 *       after the broker has requeued what this one left unacked).
 * </ul>
 */
final class AmqpSource implements Source {

  private static final Logger log = LoggerFactory.getLogger(AmqpSource.class);

  private final TransportContext context;
  private final String task;
  private final AmqpSettings settings;
  private final Topology topology;
  private final AmqpStats stats = new AmqpStats();
  private final ExecutorService consumerThread;
  private final ScheduledExecutorService control;

  /** Orders handing deliveries to the sink against {@link #stopReceiving()}. */
  private final Object deliverLock = new Object();

  /** Guards the subscription: channel, epoch, consumer tags. */
  private final Object subscription = new Object();

  private Connection connection;
  private Connection publishConnection;
  private ChannelKeeper keeper;
  private BufferedPublisher publisher;
  private BacklogPoller backlog;
  private ScheduledFuture<?> ackTicker;
  private DeliverySink sink;
  private Channel channel;
  private volatile DeliveryEpoch epoch;
  private long epochs;

  /** The queues consumed: the work queue, or its partition queues. */
  private final List<String> queues;

  /** The consumer tag of each of {@link #queues}, null while not consuming it. */
  private final String[] consumerTags;

  /**
   * The consumer of each of {@link #queues} in the current epoch, null while not consuming it; read
   * without the subscription lock by {@link #ownedPartitions()}.
   */
  private final AtomicReferenceArray<EpochConsumer> consumers;

  /** Whether the channel also gets a channel-wide (global) prefetch; see channelOpened. */
  private volatile boolean channelWidePrefetch;

  /** Opened by the first successful basic.consume. */
  private final CountDownLatch subscribed = new CountDownLatch(1);

  private volatile String subscribeError = "no consumer registered";
  private volatile boolean receiving;
  private volatile boolean paused;
  private volatile boolean closed;

  AmqpSource(TransportContext context, AmqpSettings settings) {
    this.context = context;
    this.task = context.task().name();
    this.settings = settings;
    this.topology = new Topology(task, settings);
    this.channelWidePrefetch = !settings.quorum(); // quorum queues refuse a global prefetch
    this.queues = settings.workQueues();
    this.consumerTags = new String[queues.size()];
    this.consumers = new AtomicReferenceArray<>(queues.size());
    this.consumerThread = Executors.newSingleThreadExecutor(context.threads("amqp-consume", true));
    this.control =
        Executors.newSingleThreadScheduledExecutor(context.threads("amqp-control", true));
  }

  @Override
  public void start(DeliverySink deliverySink) {
    try {
      ConnectionFactory factory = Connections.factory(context, settings);
      connection = Connections.open(factory, task, settings, "consume", consumerThread);
      topology.apply(connection);
      publishConnection = Connections.open(factory, task, settings, "publish", null);
      publisher =
          new BufferedPublisher(
              task,
              publishConnection,
              control,
              context.threads("amqp-publish", true),
              settings.publishBuffer(),
              settings.confirmTimeout(),
              settings.recoveryInterval(),
              stats);
      publisher.start(this::releaseHeld);
      sink = deliverySink;
      receiving = true;
      keeper =
          new ChannelKeeper(
              "task '" + task + "' consume channel",
              connection,
              new ChannelKeeper.Listener() {
                @Override
                public void opened(Channel ch, boolean fresh) throws IOException {
                  channelOpened(ch, fresh);
                }

                @Override
                public void lost(ShutdownSignalException cause) {
                  channelLost(cause);
                }
              },
              control,
              settings.recoveryInterval());
      keeper.open();
      awaitSubscribed();
      long tick = settings.ackInterval().toNanos();
      ackTicker =
          control.scheduleWithFixedDelay(this::flushDueAcks, tick, tick, TimeUnit.NANOSECONDS);
      backlog =
          new BacklogPoller(
              task,
              queues,
              connection,
              settings.backlogInterval(),
              context.threads("amqp-backlog", true));
      backlog.start();
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
    } catch (IOException | ShutdownSignalException e) {
      close();
      throw new ReadyFailedException(
          "task '"
              + task
              + "': amqp.queue: cannot consume queue '"
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

  /**
   * Start returns once the consumer is registered. A queue that refuses the channel-wide prefetch
   * costs one reconnection first; any other refusal fails the start.
   */
  private void awaitSubscribed() throws IOException {
    if (subscribed.getCount() == 0) {
      return;
    }
    if (channelWidePrefetch) {
      throw new IOException(subscribeError);
    }
    Duration patience = settings.recoveryInterval().plus(settings.connectionTimeout());
    try {
      if (!subscribed.await(patience.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IOException(subscribeError);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while subscribing");
    }
  }

  private void channelOpened(Channel ch, boolean fresh) throws IOException {
    boolean first;
    synchronized (subscription) {
      first = epoch == null;
    }
    ch.basicQos(perConsumerPrefetch(), false);
    // pause/resume cancels and re-creates the consumer; a per-consumer limit alone would not
    // count the unacked deliveries of the cancelled one, nor share one window among partition
    // queues. 0 lifts the channel-wide limit, which a recovered channel would otherwise restore.
    ch.basicQos(channelWidePrefetch ? settings.prefetch() : 0, true);
    if (!first) {
      redeclare();
    }
    synchronized (subscription) {
      channel = ch;
      Arrays.fill(consumerTags, null);
      for (int i = 0; i < queues.size(); i++) {
        consumers.set(i, null);
      }
      epoch =
          new DeliveryEpoch(
              task,
              ++epochs,
              ch,
              stats,
              settings.ackBatch(),
              settings.prefetch(),
              settings.ackInterval());
      reconcile();
    }
    if (!first) {
      stats.resubscribes.increment();
      log.info(
          "task {}: consume channel {}; resumed consuming queue '{}' (epoch {})",
          task,
          fresh ? "reopened" : "recovered",
          settings.queue(),
          epoch.number());
    }
  }

  /**
   * The prefetch window of each consumer: the task's, or where the queues refuse a channel-wide
   * limit (quorum) its share among the partition queues (at least 1), so the task's window holds
   * either way.
   */
  private int perConsumerPrefetch() {
    if (channelWidePrefetch) {
      return settings.prefetch();
    }
    return Math.max(1, settings.prefetch() / queues.size());
  }

  /** Declares (or checks) the topology again: a broker restart loses transient objects. */
  private void redeclare() {
    try {
      topology.apply(connection);
    } catch (ReadyFailedException e) {
      log.error("task {}: after reconnecting: {}", task, e.getMessage());
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
   * Consumes each queue when wanted and not consuming, cancels when consuming and not wanted. With
   * partitions only closing stops consuming (see the class comment).
   */
  private void reconcile() {
    synchronized (subscription) {
      DeliveryEpoch current = epoch;
      boolean live = current != null && !current.isStale() && channel.isOpen();
      boolean want = !closed && live && (settings.partitioned() || receiving && !paused);
      String queue = settings.queue();
      try {
        for (int i = 0; i < queues.size(); i++) {
          queue = queues.get(i);
          if (want && consumerTags[i] == null) {
            EpochConsumer consumer = new EpochConsumer(current, i);
            consumerTags[i] = channel.basicConsume(queue, false, consumer);
            consumers.set(i, consumer);
          } else if (!want && consumerTags[i] != null) {
            String tag = consumerTags[i];
            consumerTags[i] = null;
            consumers.set(i, null);
            if (live) {
              channel.basicCancel(tag);
            }
          }
        }
        if (want) {
          subscribed.countDown();
        }
      } catch (IOException | ShutdownSignalException e) {
        String reason = BrokerReply.reason(e);
        subscribeError = reason;
        if (BrokerReply.is(e, AMQP.NOT_IMPLEMENTED)) { // "... does not support global qos"
          // a connection error: the channel comes back with the connection, without the limit
          channelWidePrefetch = false;
          log.warn(
              "task {}: queue '{}' (a quorum or stream queue?) refuses a channel-wide"
                  + " prefetch; consuming with the per-consumer limit only, so a pause/resume may"
                  + " briefly let up to two prefetch windows in flight",
              task,
              queue);
        } else {
          log.error(
              "task {}: could not {} queue '{}': {}",
              task,
              want ? "consume" : "cancel consuming",
              queue,
              reason);
        }
      }
    }
  }

  private void reconcileLater(long delayMillis) {
    try {
      control.schedule(this::reconcile, delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  private void flushDueAcks() {
    DeliveryEpoch current = epoch;
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
    DeliveryEpoch current = epoch;
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
    paused = true;
    reconcileLater(0);
  }

  @Override
  public void resume() {
    paused = false;
    reconcileLater(0);
  }

  @Override
  public void stopReceiving() {
    synchronized (deliverLock) {
      receiving = false;
    }
    reconcile();
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
    DeliveryEpoch current = epoch;
    Channel ch;
    synchronized (subscription) {
      ch = channel;
    }
    if (current == null || current.isStale()) {
      return;
    }
    current.flush(true);
    try {
      // an RPC after the acks: its reply means the broker has processed them
      ch.basicQos(settings.prefetch(), false);
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
    synchronized (deliverLock) {
      if (closed) {
        return;
      }
      closed = true;
      receiving = false;
    }
    if (ackTicker != null) {
      ackTicker.cancel(false);
    }
    if (backlog != null) {
      backlog.close();
    }
    DeliveryEpoch current = epoch;
    if (current != null) {
      current.flush(true); // finished work is acked, whatever else happens
    }
    if (publisher != null) {
      publisher.close();
    }
    if (keeper != null) {
      keeper.close();
    }
    if (current != null) {
      long unacked = current.markStale();
      if (unacked > 0) {
        log.info(
            "task {}: closed with {} deliveries unacked; the broker redelivers them",
            task,
            unacked);
      }
    }
    closeQuietly(publishConnection);
    closeQuietly(connection);
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
    DeliveryEpoch current = epoch;
    return !closed
        && connection != null
        && connection.isOpen()
        && current != null
        && !current.isStale();
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

  /**
   * With partitions, the partition queues this source is the single active consumer of: those that
   * delivered to its current consumer. AMQP 0-9-1 does not tell a consumer that it became active,
   * so a queue held while empty shows only with its first delivery. Without partitions, empty: the
   * consumers of one queue share it.
   */
  @Override
  public Optional<Set<String>> ownedPartitions() {
    if (!settings.partitioned()) {
      return Optional.empty();
    }
    Set<String> owned = new HashSet<>();
    for (int i = 0; i < queues.size() && !closed; i++) {
      EpochConsumer consumer = consumers.get(i);
      if (consumer != null && consumer.isActive()) {
        owned.add(queues.get(i));
      }
    }
    return Optional.of(Set.copyOf(owned));
  }

  /** The current consume channel, to break it in tests. */
  Channel consumeChannel() {
    synchronized (subscription) {
      return channel;
    }
  }

  BufferedPublisher publisher() {
    return publisher;
  }

  /** Deliveries of the current channel the broker counts as unacked. */
  long unacked() {
    DeliveryEpoch current = epoch;
    return current == null ? 0 : current.unacked();
  }

  /** Deliveries of the current channel whose handler has not finished. */
  long unfinished() {
    DeliveryEpoch current = epoch;
    return current == null ? 0 : current.unfinished();
  }

  /**
   * Receives the deliveries of one basic.consume of queue {@code index}, all in the epoch it was
   * made in. Its callbacks run on the connection's one consumer thread.
   */
  private final class EpochConsumer implements Consumer {
    private final DeliveryEpoch owner;
    private final int index;
    private volatile boolean delivering;

    EpochConsumer(DeliveryEpoch owner, int index) {
      this.owner = owner;
      this.index = index;
    }

    /** Whether the broker made it its queue's active consumer, as far as this runner can tell. */
    boolean isActive() {
      return delivering && !owner.isStale();
    }

    @Override
    public void handleDelivery(
        String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
      long deliveryTag = envelope.getDeliveryTag();
      owner.delivered(deliveryTag);
      if (owner.isStale()) {
        return; // its channel is gone; the broker redelivers it
      }
      if (!delivering && settings.partitioned()) {
        // AMQP 0-9-1 does not tell a consumer that it became a queue's single active one; its
        // first delivery does
        delivering = true;
        log.info(
            "task {}: queue '{}' delivers to this runner now (its active consumer, epoch {})",
            task,
            queues.get(index),
            owner.number());
      }
      Message message =
          AmqpMessages.toMessage(
              envelope, props, body, settings.queue(), settings.partitioned() ? index : -1);
      Delivery delivery =
          new Delivery(
              message,
              new AmqpAcknowledger(
                  AmqpSource.this, owner, deliveryTag, queues.get(index), message, props));
      synchronized (deliverLock) {
        if (!receiving) {
          stats.afterStop.increment();
          return; // left unacked: returns to the broker on close
        }
        stats.delivered.increment();
        sink.accept(delivery);
      }
    }

    @Override
    public void handleCancel(String tag) {
      synchronized (subscription) {
        if (tag.equals(consumerTags[index])) {
          consumerTags[index] = null;
          consumers.set(index, null);
        }
      }
      log.warn(
          "task {}: the broker cancelled the consumer of queue '{}' (deleted?); consuming"
              + " again in {} ms",
          task,
          queues.get(index),
          settings.recoveryInterval().toMillis());
      try {
        control.schedule(
            () -> {
              redeclare();
              reconcile();
            },
            settings.recoveryInterval().toMillis(),
            TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // closed
      }
    }

    @Override
    public void handleConsumeOk(String tag) {}

    @Override
    public void handleCancelOk(String tag) {}

    @Override
    public void handleShutdownSignal(String tag, ShutdownSignalException sig) {}

    @Override
    public void handleRecoverOk(String tag) {}
  }
}
