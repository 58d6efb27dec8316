package dev.lanes.transport.kafka;

import dev.lanes.spi.Delivery;
import dev.lanes.spi.DeliverySink;
import java.util.Collection;
import java.util.Comparator;
import java.util.PriorityQueue;
import org.apache.kafka.common.TopicPartition;

/**
 * Retry records fetched before they are due, held in memory in due-time order so that a retry due
 * late never delays one due sooner behind it in the retry topic. Bounded: the poll loop pauses the
 * retry topic while the hold {@link #isFull() is full}. Held records are tracked (their offsets are
 * not committed) but not handed out, so a crash or rebalance leaves them to be read again. Poll
 * thread only.
 */
final class RetryHold {

  private record Held(
      long dueMillis, long sequence, PartitionTracker partition, Delivery delivery) {}

  private static final Comparator<Held> BY_DUE_TIME =
      Comparator.comparingLong(Held::dueMillis).thenComparingLong(Held::sequence);

  private final PriorityQueue<Held> held = new PriorityQueue<>(BY_DUE_TIME);
  private final int max;
  private long sequence;

  RetryHold(int max) {
    this.max = max;
  }

  /**
   * Holds {@code delivery}, tracked by {@code partition}, until {@code dueMillis} (epoch millis).
   */
  void hold(PartitionTracker partition, long dueMillis, Delivery delivery) {
    held.add(new Held(dueMillis, sequence++, partition, delivery));
  }

  /** Whether the hold reached its bound: stop fetching retry records. */
  boolean isFull() {
    return held.size() >= max;
  }

  int size() {
    return held.size();
  }

  /**
   * When the next held record is due (epoch millis), or {@link Long#MAX_VALUE} when none is held.
   */
  long nextDueMillis() {
    Held next = held.peek();
    return next == null ? Long.MAX_VALUE : next.dueMillis();
  }

  /**
   * Hands every record due by {@code nowMillis} to {@code sink}, earliest first.
   *
   * @return how many were released
   */
  int releaseDue(long nowMillis, DeliverySink sink) {
    int released = 0;
    while (!held.isEmpty() && held.peek().dueMillis() <= nowMillis) {
      Held next = held.poll();
      next.partition().handOut();
      sink.accept(next.delivery());
      released++;
    }
    return released;
  }

  /** Forgets the records of partitions no longer assigned; their new owner reads them again. */
  void drop(Collection<TopicPartition> partitions) {
    held.removeIf(h -> partitions.contains(h.partition().partition()));
  }
}
