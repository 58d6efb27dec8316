package dev.lanes.transport.kafka;

import java.time.Duration;
import java.util.Collection;

/**
 * Lets the poll thread wait until revoked partitions have no record in a lane any more, woken by
 * the lane threads that settle them. Costs the settling side one volatile read while nobody waits.
 */
final class DrainSignal {

  private volatile boolean waiting;
  private volatile boolean aborted;

  /** Called after a record was settled (any thread). */
  void settled() {
    if (waiting) {
      synchronized (this) {
        notifyAll();
      }
    }
  }

  /** Ends a wait in progress and every later one at once (the source is closing). */
  void abort() {
    aborted = true;
    synchronized (this) {
      notifyAll();
    }
  }

  /**
   * Waits until none of {@code partitions} has a record handed out and unsettled, or until {@code
   * timeout} passed.
   *
   * @return whether they all drained in time ({@code false} when {@link #abort() aborted})
   */
  boolean await(Collection<PartitionTracker> partitions, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    waiting = true;
    try {
      synchronized (this) {
        while (!drained(partitions)) {
          if (aborted) {
            return false;
          }
          long remaining = deadline - System.nanoTime();
          if (remaining <= 0) {
            return false;
          }
          wait(Math.max(1, remaining / 1_000_000));
        }
        return true;
      }
    } finally {
      waiting = false;
    }
  }

  private static boolean drained(Collection<PartitionTracker> partitions) {
    for (PartitionTracker partition : partitions) {
      if (partition.handedOut() > 0) {
        return false;
      }
    }
    return true;
  }
}
