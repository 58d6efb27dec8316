package dev.lanes.bench;

import java.util.BitSet;

/**
 * What the handler saw, checked against the backlog's numbering ({@link Payloads}): a message seen
 * twice is a duplicate; a first sight whose sequence number is not the next of its key is an order
 * violation, which on a FIFO destination also means a message of the key was skipped (lost or still
 * to come after a later one). Sized for the whole backlog up front, so that it adds nothing to the
 * heap while the workload measures it. Thread-safe.
 */
final class DrainSample {

  private final int keys;
  private final long[] nextSeq;
  private final BitSet seen;
  private long handled;
  private long duplicates;
  private long violations;

  DrainSample(int keys, long backlog) {
    this.keys = keys;
    this.nextSeq = new long[keys];
    this.seen = new BitSet((int) Math.min(backlog, Integer.MAX_VALUE));
  }

  /** The handler began on {@code payload}. */
  synchronized void started(String payload) {
    int key = Payloads.keyOf(payload);
    long seq = Payloads.seqOf(payload);
    int index = (int) (seq * keys + key);
    if (seen.get(index)) {
      duplicates++;
      return;
    }
    seen.set(index);
    handled++;
    if (seq != nextSeq[key]) {
      violations++;
    }
    nextSeq[key] = Math.max(nextSeq[key], seq + 1);
  }

  /** Distinct messages handled so far. */
  synchronized long handled() {
    return handled;
  }

  synchronized long duplicates() {
    return duplicates;
  }

  synchronized long violations() {
    return violations;
  }
}
