package dev.lanes.transport.kafka;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;

/**
 * The records of one assigned partition that are not settled yet, in offset order, and the offset
 * that may be committed: the offset of the oldest unsettled record, or the one after the newest
 * tracked record once all are settled. Work finishing out of order across lanes therefore never
 * moves the commit past an unfinished record; gaps in the offsets (compaction, transaction markers)
 * need no special case.
 *
 * <p>One tracker lives for one assignment of the partition: once {@link #revoke() revoked} its
 * acknowledgers are stale and settling them is a no-op, so work of an earlier owner is never
 * counted against a later assignment.
 *
 * <p>Threading: {@link #track}, {@link #committable} and the commit marks are for the poll thread
 * only; {@link #settled()}, {@link #handedOut()} and {@link #isRevoked()} are safe from any thread.
 * Lane threads never take a lock here: they flip their acknowledger's state and the poll thread
 * scans from the oldest record.
 */
final class PartitionTracker {

  private final TopicPartition partition;
  private final DrainSignal drain;
  private final ArrayDeque<KafkaAcknowledger> unsettled = new ArrayDeque<>();
  private final AtomicInteger handedOut = new AtomicInteger();
  private volatile boolean revoked;
  private long next = -1;
  private long committed = -1;
  private NavigableSet<Long> finishedBefore = new TreeSet<>();

  PartitionTracker(TopicPartition partition, DrainSignal drain) {
    this.partition = partition;
    this.drain = drain;
  }

  TopicPartition partition() {
    return partition;
  }

  /** Registers the next record of this partition; offsets must increase (poll thread). */
  void track(KafkaAcknowledger record) {
    if (record.offset() < next) {
      throw new IllegalArgumentException(
          partition + ": offset " + record.offset() + " tracked after " + (next - 1));
    }
    unsettled.addLast(record);
    next = record.offset() + 1;
  }

  /** A tracked record was handed to the dispatcher (poll thread). */
  void handOut() {
    handedOut.incrementAndGet();
  }

  /**
   * Offsets above the committed one that the partition's previous owner had finished (from the
   * commit's metadata, see {@link FinishedOffsets}): they are skipped, not handled again (poll
   * thread).
   */
  void finishedByPreviousOwner(NavigableSet<Long> offsets) {
    finishedBefore = offsets;
  }

  /** Whether the previous owner had finished the record at {@code offset} (poll thread). */
  boolean finishedByPreviousOwner(long offset) {
    return !finishedBefore.isEmpty() && finishedBefore.contains(offset); // no box when empty
  }

  /**
   * The commit metadata for {@code offset} (what {@link #committable()} returned): the finished
   * offsets above it, tracked or still to be fetched (poll thread).
   */
  String finishedAbove(long offset) {
    List<Long> finished = new ArrayList<>();
    for (KafkaAcknowledger record : unsettled) {
      if (record.offset() > offset && record.isDone()) {
        finished.add(record.offset());
      }
    }
    finished.addAll(finishedBefore.tailSet(Math.max(next, offset + 1), true));
    return FinishedOffsets.encode(offset, finished);
  }

  /** A handed-out record was settled (any thread). */
  void settled() {
    handedOut.decrementAndGet();
    drain.settled();
  }

  /** Records handed out and not settled yet. */
  int handedOut() {
    return handedOut.get();
  }

  /**
   * The offset to commit: the oldest unsettled record's, or the one after the newest tracked
   * record; {@code -1} before anything was tracked (poll thread).
   */
  long committable() {
    KafkaAcknowledger oldest;
    while ((oldest = unsettled.peekFirst()) != null && oldest.isDone()) {
      unsettled.pollFirst();
    }
    return oldest == null ? next : oldest.offset();
  }

  /** The offset last sent in a commit (maybe not confirmed yet), or {@code -1} (poll thread). */
  long committed() {
    return committed;
  }

  /** Remembers that {@code offset} was sent in a commit (poll thread). */
  void committing(long offset) {
    committed = offset;
  }

  /** A commit of {@code offset} failed: send it again next time (poll thread). */
  void commitFailed(long offset) {
    if (committed == offset) {
      committed = -1;
    }
  }

  /** Ends this assignment of the partition: from now on its acknowledgers are stale. */
  void revoke() {
    revoked = true;
  }

  boolean isRevoked() {
    return revoked;
  }

  @Override
  public String toString() {
    return partition.toString();
  }
}
