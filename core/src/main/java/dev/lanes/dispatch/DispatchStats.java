package dev.lanes.dispatch;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of a task's dispatching, cheap to update from any lane; shared by the dispatchers that
 * replace one another when lanes are re-sharded.
 */
public final class DispatchStats {
  final LongAdder received = new LongAdder();
  final LongAdder settled = new LongAdder();
  final LongAdder acked = new LongAdder();
  final LongAdder retried = new LongAdder();
  final LongAdder rejected = new LongAdder();
  final LongAdder handedBack = new LongAdder();
  final LongAdder released = new LongAdder();
  final LongAdder stale = new LongAdder();
  final LongAdder settleFailures = new LongAdder();

  /** Deliveries received and not settled. */
  public long inFlight() {
    return received.sum() - settled.sum();
  }

  public TaskStats snapshot() {
    return new TaskStats(
        received.sum(), acked.sum(), retried.sum(), rejected.sum(), stale.sum(), inFlight());
  }
}
