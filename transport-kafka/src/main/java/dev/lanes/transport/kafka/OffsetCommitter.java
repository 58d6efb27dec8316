package dev.lanes.transport.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the {@link PartitionTracker#committable() contiguous finished offsets} of a consumer's
 * partitions. While running: one asynchronous commit at most every {@code commitInterval}, never
 * two in flight, carrying only the partitions that moved — a broker confirms only some 180 commits
 * a second per consumer, so only the newest offset of each partition is worth sending. On revoke,
 * flush and close: a synchronous commit. Poll thread only (the consumer's thread).
 */
final class OffsetCommitter {

  private static final Logger log = LoggerFactory.getLogger(OffsetCommitter.class);

  private final KafkaSettings settings;
  private final Consumer<byte[], byte[]> consumer;
  private boolean inFlight;
  private long nextNanos;

  OffsetCommitter(KafkaSettings settings, Consumer<byte[], byte[]> consumer) {
    this.settings = settings;
    this.consumer = consumer;
  }

  /**
   * Sends an asynchronous commit of the partitions that moved, if one is due and none in flight.
   *
   * @throws WakeupException a wakeup meant for {@code poll} that the consumer raised while it
   *     looked for the group coordinator (after a broker restart, or while the broker is
   *     unreachable); the commit was not sent and is sent again at the next interval
   */
  void commitIfDue(Collection<PartitionTracker> partitions) {
    long now = System.nanoTime();
    if (inFlight || now - nextNanos < 0) {
      return;
    }
    nextNanos = now + settings.commitInterval().toNanos();
    List<PartitionTracker> moved = new ArrayList<>();
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (PartitionTracker partition : partitions) {
      long offset = partition.committable();
      if (offset >= 0 && offset > partition.committed()) {
        partition.committing(offset);
        moved.add(partition);
        offsets.put(
            partition.partition(), new OffsetAndMetadata(offset, partition.finishedAbove(offset)));
      }
    }
    if (offsets.isEmpty()) {
      return;
    }
    inFlight = true;
    try {
      consumer.commitAsync(offsets, (committed, error) -> completed(moved, offsets, error));
    } catch (WakeupException e) {
      completed(moved, offsets, e); // no callback will come
      throw e;
    }
  }

  private void completed(
      List<PartitionTracker> moved,
      Map<TopicPartition, OffsetAndMetadata> offsets,
      Exception error) {
    inFlight = false;
    if (error != null) {
      moved.forEach(p -> p.commitFailed(offsets.get(p.partition()).offset()));
      if (error instanceof RetriableException
          || error instanceof RebalanceInProgressException
          || error instanceof WakeupException) {
        log.debug("task '{}': commit failed, will retry: {}", settings.task(), error.toString());
      } else {
        log.warn("task '{}': commit of {} failed: {}", settings.task(), offsets, error.toString());
      }
    }
  }

  /**
   * Commits every known offset of {@code partitions} synchronously, within {@code commitTimeout}.
   * Every one, not only those that moved: an asynchronous commit sent earlier may still be in
   * flight, and this returns only after it landed too. A stray {@link WakeupException} (a pause or
   * resume meant for {@code poll}) does not stop it.
   *
   * @param why for the logs: revoke, flush or close
   * @return whether the broker confirmed the commit
   */
  boolean commitSync(Collection<PartitionTracker> partitions, String why) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (PartitionTracker partition : partitions) {
      long offset = partition.committable();
      if (offset >= 0) {
        offsets.put(
            partition.partition(), new OffsetAndMetadata(offset, partition.finishedAbove(offset)));
      }
    }
    if (offsets.isEmpty()) {
      return true;
    }
    long deadline = System.nanoTime() + settings.commitTimeout().toNanos();
    while (true) {
      try {
        consumer.commitSync(offsets, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        partitions.forEach(
            p -> {
              OffsetAndMetadata offset = offsets.get(p.partition());
              if (offset != null) {
                p.committing(offset.offset());
              }
            });
        log.debug("task '{}': committed {} on {}", settings.task(), offsets, why);
        return true;
      } catch (WakeupException e) {
        if (System.nanoTime() - deadline >= 0) {
          log.warn("task '{}': commit of {} on {} timed out", settings.task(), offsets, why);
          return false;
        }
      } catch (InterruptException e) {
        throw e;
      } catch (KafkaException e) {
        log.warn(
            "task '{}': commit of {} on {} failed ({}); records from those offsets on will be"
                + " consumed again",
            settings.task(),
            offsets,
            why,
            e.toString());
        return false;
      }
    }
  }
}
