package dev.lanes.transport.amqp;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One life of the consume channel. Delivery tags mean something only on the channel that issued
 * them, so every delivery belongs to the epoch it arrived in; when that channel closes (connection
 * lost, channel error, stop) the epoch turns stale: its deliveries are back with the broker, which
 * redelivers them, and nothing is ever acked with their tags again.
 *
 * <p>Sends the acknowledgements of its channel, batched as {@link AckTracker} decides, and holds
 * deliveries whose retry/dead letter could not be published (they stay unacked until {@link
 * #releaseHeld} requeues them). Thread-safe: one lock orders every ack/nack of the channel, so a
 * multiple ack never overtakes a nack of a tag it covers.
 */
final class DeliveryEpoch {

  private static final Logger log = LoggerFactory.getLogger(DeliveryEpoch.class);

  private final String task;
  private final long number;
  private final Channel channel;
  private final AmqpStats stats;
  private final int flushAt;
  private final int pressure;
  private final long stallNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final AckTracker tracker = new AckTracker();
  private final List<Long> held = new ArrayList<>();
  private volatile boolean stale;

  /**
   * @param ackBatch finished deliveries that trigger a flush from the acking thread
   * @param prefetch the channel's prefetch; half of it finished above a gap that has lasted four
   *     ack intervals forces single acks
   * @param ackInterval the period of the ack flush
   */
  DeliveryEpoch(
      String task,
      long number,
      Channel channel,
      AmqpStats stats,
      int ackBatch,
      int prefetch,
      Duration ackInterval) {
    this.task = task;
    this.number = number;
    this.channel = channel;
    this.stats = stats;
    this.pressure = Math.max(1, prefetch / 2);
    this.flushAt = Math.min(ackBatch, pressure);
    this.stallNanos = 4 * ackInterval.toNanos();
  }

  long number() {
    return number;
  }

  /** The channel of this epoch, which issued its delivery tags; it may be closed. */
  Channel channel() {
    return channel;
  }

  boolean isStale() {
    return stale;
  }

  /** Records a delivery of this channel (consumer thread, in tag order). */
  void delivered(long tag) {
    lock.lock();
    try {
      tracker.delivered(tag);
    } finally {
      lock.unlock();
    }
  }

  /**
   * The handler of {@code tag} is done: ack it with the next flush (at once when a batch is full).
   *
   * @return false when the epoch is stale and nothing will be acked
   */
  boolean ack(long tag) {
    lock.lock();
    try {
      if (stale) {
        return false;
      }
      tracker.finished(tag);
      if (tracker.pending() >= flushAt) {
        send(false);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Keeps {@code tag} unacked because its retry/dead letter could not be published; {@link
   * #releaseHeld} later hands it back to the queue.
   */
  void hold(long tag) {
    lock.lock();
    try {
      if (!stale) {
        held.add(tag);
        stats.held.increment();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Requeues held deliveries (basic.nack, requeue) so they are handled again. */
  int releaseHeld() {
    lock.lock();
    try {
      if (stale || held.isEmpty()) {
        return 0;
      }
      int released = 0;
      for (Long tag : held) {
        channel.basicNack(tag, false, true);
        tracker.settledAlone(tag);
        released++;
      }
      held.clear();
      stats.requeued.add(released);
      return released;
    } catch (IOException | ShutdownSignalException e) {
      lose("requeue held deliveries", e);
      return 0;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Sends the acks that are due.
   *
   * @param everything also every finished delivery above a gap (stop)
   */
  void flush(boolean everything) {
    lock.lock();
    try {
      if (!stale) {
        send(everything);
      }
    } finally {
      lock.unlock();
    }
  }

  private void send(boolean everything) {
    AckTracker.Acks acks = tracker.take(everything, pressure, System.nanoTime(), stallNanos);
    if (acks.isEmpty()) {
      return;
    }
    try {
      if (acks.multipleUpTo() > 0) {
        channel.basicAck(acks.multipleUpTo(), true);
        stats.multipleAcks.increment();
      }
      for (long tag : acks.singles()) {
        channel.basicAck(tag, false);
      }
      stats.singleAcks.add(acks.singles().length);
    } catch (IOException | ShutdownSignalException e) {
      lose("send acknowledgements", e);
    }
  }

  /**
   * The channel closed or is closing: marks the epoch stale. Idempotent.
   *
   * @return how many delivered messages were not acked and go back to the broker (0 when the epoch
   *     was already stale)
   */
  long markStale() {
    lock.lock();
    try {
      if (stale) {
        return 0;
      }
      stale = true;
      long unacked = tracker.unacked();
      held.clear();
      return unacked;
    } finally {
      lock.unlock();
    }
  }

  private void lose(String what, Exception e) {
    long unacked = markStale();
    stats.returnedOnChannelLoss.add(unacked);
    log.warn(
        "task {}: could not {} on channel epoch {} ({}); {} deliveries are back with the"
            + " broker and will be redelivered",
        task,
        what,
        number,
        e.toString(),
        unacked);
  }

  /** Delivered and not yet acked, as the broker counts them. */
  long unacked() {
    lock.lock();
    try {
      return stale ? 0 : tracker.unacked();
    } finally {
      lock.unlock();
    }
  }

  /** Delivered and not finished by their handlers. */
  long unfinished() {
    lock.lock();
    try {
      return stale ? 0 : tracker.unfinished();
    } finally {
      lock.unlock();
    }
  }

  /** Whether finished deliveries wait to be acked. */
  boolean hasPending() {
    lock.lock();
    try {
      return !stale && tracker.pending() > 0;
    } finally {
      lock.unlock();
    }
  }
}
