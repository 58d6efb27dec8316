package dev.lanes.transport.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the consumers that should exist on the consume channel: one {@link QueueConsumer} per queue
 * (the work queue, or each partition queue) while consuming is wanted, none otherwise. What is
 * wanted is a level (paused, stopped, closed), not a sequence of events; each change of it, each
 * new channel epoch and each consumer the broker cancelled lead to a {@link #reconcile()}, which
 * consumes every queue wanted and not consumed and cancels every consumer not wanted.
 *
 * <p>With partitions only closing stops consuming: each partition queue has a single active
 * consumer, and cancelling the active one would make the broker hand the queue to another runner
 * while this one still holds earlier messages of its keys. The prefetch window is then the only
 * bound.
 *
 * <p>Thread-safe: one lock guards the epoch consumed on and the registrations. {@link #stop()}
 * reconciles on the caller; pause, resume and a broker's cancel on the control thread.
 */
final class SubscriptionReconciler {

  private static final Logger log = LoggerFactory.getLogger(SubscriptionReconciler.class);

  /** A consumer registered with the broker under its consumer tag. */
  private record Registration(String tag, QueueConsumer consumer) {}

  private final String task;
  private final AmqpSettings settings;
  private final List<String> queues;
  private final PrefetchWindow window;
  private final QueueConsumer.Receiver receiver;
  private final Runnable redeclare;
  private final ScheduledExecutorService control;
  private final Object lock = new Object();

  /** Per queue, its consumer in the current epoch or null; read without the lock by owned(). */
  private final AtomicReferenceArray<Registration> registrations;

  /** Opened by the first successful basic.consume. */
  private final CountDownLatch subscribed = new CountDownLatch(1);

  /** The epoch consumed on; guarded by lock. */
  private DeliveryEpoch epoch;

  private volatile String subscribeError = "no consumer registered";
  private volatile boolean paused;
  private volatile boolean stopped;
  private volatile boolean closed;

  /**
   * @param receiver takes the deliveries of every consumer
   * @param redeclare declares the topology again before consuming a queue the broker cancelled
   * @param control runs the reconciling asked for by pause, resume and the broker's cancels
   */
  SubscriptionReconciler(
      String task,
      AmqpSettings settings,
      PrefetchWindow window,
      QueueConsumer.Receiver receiver,
      Runnable redeclare,
      ScheduledExecutorService control) {
    this.task = task;
    this.settings = settings;
    this.queues = settings.workQueues();
    this.window = window;
    this.receiver = receiver;
    this.redeclare = redeclare;
    this.control = control;
    this.registrations = new AtomicReferenceArray<>(queues.size());
  }

  /** Consumes on a new epoch of the channel; the consumers of the old one went with it. */
  void consumeOn(DeliveryEpoch next) {
    synchronized (lock) {
      epoch = next;
      for (int i = 0; i < queues.size(); i++) {
        registrations.set(i, null);
      }
      reconcile();
    }
  }

  void pause() {
    paused = true;
    schedule(this::reconcile, Duration.ZERO);
  }

  void resume() {
    paused = false;
    schedule(this::reconcile, Duration.ZERO);
  }

  /** Stops consuming for good (with partitions: see the class comment) before it returns. */
  void stop() {
    stopped = true;
    reconcile();
  }

  /** Consumes nothing more and owns nothing; the consumers go when the channel closes. */
  void close() {
    closed = true;
  }

  /**
   * Returns once a consumer is registered. A queue that refuses the channel-wide prefetch costs one
   * reconnection first; any other refusal fails at once.
   *
   * @throws IOException saying why no consumer could be registered
   */
  void awaitSubscribed() throws IOException {
    if (subscribed.getCount() == 0) {
      return;
    }
    if (window.isChannelWide()) {
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

  /**
   * With partitions, the partition queues whose single active consumer is this source's: those that
   * delivered to its current consumer. AMQP 0-9-1 does not tell a consumer that it became active,
   * so a queue held while empty shows only with its first delivery. Without partitions, empty: the
   * consumers of one queue share it.
   */
  Optional<Set<String>> owned() {
    if (!settings.partitioned()) {
      return Optional.empty();
    }
    Set<String> owned = new HashSet<>();
    for (int i = 0; i < queues.size() && !closed; i++) {
      Registration registration = registrations.get(i);
      if (registration != null && registration.consumer().isActive()) {
        owned.add(queues.get(i));
      }
    }
    return Optional.of(Set.copyOf(owned));
  }

  private boolean wanted() {
    return !closed && (settings.partitioned() || !stopped && !paused);
  }

  /** Consumes each queue when wanted and not consumed, cancels when consumed and not wanted. */
  private void reconcile() {
    synchronized (lock) {
      DeliveryEpoch current = epoch;
      boolean live = current != null && !current.isStale() && current.channel().isOpen();
      boolean want = live && wanted();
      String queue = settings.queue();
      try {
        for (int i = 0; i < queues.size(); i++) {
          queue = queues.get(i);
          Registration registration = registrations.get(i);
          if (want && registration == null) {
            consume(current, i);
          } else if (!want && registration != null) {
            registrations.set(i, null);
            if (live) {
              current.channel().basicCancel(registration.tag());
            }
          }
        }
        if (want) {
          subscribed.countDown();
        }
      } catch (IOException | ShutdownSignalException e) {
        refused(want, queue, e);
      }
    }
  }

  private void consume(DeliveryEpoch current, int index) throws IOException {
    QueueConsumer consumer =
        new QueueConsumer(
            task,
            current,
            index,
            queues.get(index),
            settings.partitioned(),
            receiver,
            this::cancelledByBroker);
    String tag = current.channel().basicConsume(queues.get(index), false, consumer);
    registrations.set(index, new Registration(tag, consumer));
  }

  private void refused(boolean consuming, String queue, Exception e) {
    String reason = BrokerReply.reason(e);
    subscribeError = reason;
    if (BrokerReply.is(e, AMQP.NOT_IMPLEMENTED)) { // "... does not support global qos"
      // a connection error: the channel comes back with the connection, without the limit
      window.refuseChannelWide();
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
          consuming ? "consume" : "cancel consuming",
          queue,
          reason);
    }
  }

  private void cancelledByBroker(QueueConsumer consumer) {
    synchronized (lock) {
      Registration registration = registrations.get(consumer.index());
      if (registration != null && registration.consumer() == consumer) {
        registrations.set(consumer.index(), null);
      }
    }
    log.warn(
        "task {}: the broker cancelled the consumer of queue '{}' (deleted?); consuming"
            + " again in {} ms",
        task,
        consumer.queue(),
        settings.recoveryInterval().toMillis());
    schedule(
        () -> {
          redeclare.run();
          reconcile();
        },
        settings.recoveryInterval());
  }

  private void schedule(Runnable action, Duration delay) {
    try {
      control.schedule(action, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closed
    }
  }
}
