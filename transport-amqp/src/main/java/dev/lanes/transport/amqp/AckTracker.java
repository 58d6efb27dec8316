package dev.lanes.transport.amqp;

import java.util.BitSet;

/**
 * Bookkeeping of the delivery tags of one channel: which were delivered, which have finished (their
 * handler is done and they may be acked) and which were already settled one by one. It decides what
 * to send so that a delivery is never acked before its handler finished, although lanes finish out
 * of order:
 *
 * <ul>
 *   <li>one {@code basic.ack(multiple=true)} over the contiguous prefix of finished tags, ending at
 *       its highest tag not yet settled one by one (the broker requires that tag to be
 *       outstanding);
 *   <li>single acks ({@code multiple=false}) for finished tags above a gap, only when asked for
 *       everything (stop), or when enough of them pile up to eat into the prefetch window while the
 *       gap has lasted a while (a slow or parked delivery must not stall the channel, but a lane
 *       thread descheduled for a moment is not worth hundreds of single acks).
 * </ul>
 *
 * <p>Tags grow by one per delivery on a channel. Not thread-safe: the owner ({@link DeliveryEpoch})
 * guards it with its lock.
 */
final class AckTracker {

  /** What to send now; {@code multipleUpTo} is 0 when no multiple ack is due. */
  record Acks(long multipleUpTo, long[] singles) {
    static final Acks NONE = new Acks(0, new long[0]);

    boolean isEmpty() {
      return multipleUpTo == 0 && singles.length == 0;
    }
  }

  /** Lowest tag not yet covered by a multiple ack; every tag below it is settled. */
  private long base = -1;

  /** One past the highest tag delivered. */
  private long next = -1;

  /** Bit {@code tag - base}: the tag's handler finished (or it was settled one by one). */
  private BitSet finished = new BitSet();

  /** Bit {@code tag - base}: an ack or nack for this single tag was already sent. */
  private BitSet sent = new BitSet();

  /** Finished tags not yet acked in any way. */
  private int pending;

  /** The lowest unfinished tag when last looked at, and since when it is the lowest. */
  private long head = -1;

  private long headSinceNanos;

  /** Records a delivery; tags must arrive in increasing order. */
  void delivered(long tag) {
    if (base < 0) {
      base = tag;
      next = tag;
    }
    if (tag < next) {
      throw new IllegalStateException("delivery tag " + tag + " arrived after " + (next - 1));
    }
    // a skipped tag was never ours: nothing to ack for it
    for (long t = next; t < tag; t++) {
      finished.set(index(t));
      sent.set(index(t));
    }
    next = tag + 1;
  }

  /**
   * Marks a delivery's handler as finished: it will be acked.
   *
   * @throws IllegalStateException when the tag was not delivered or already finished (settling a
   *     delivery twice would close the channel)
   */
  void finished(long tag) {
    int i = checkedIndex(tag);
    finished.set(i);
    pending++;
  }

  /** Marks a tag as settled by a single ack/nack that the caller sends itself. */
  void settledAlone(long tag) {
    int i = checkedIndex(tag);
    finished.set(i);
    sent.set(i);
  }

  private int checkedIndex(long tag) {
    if (base < 0 || tag < base || tag >= next) {
      throw new IllegalStateException(
          "delivery tag " + tag + " is not outstanding on this channel");
    }
    int i = index(tag);
    if (finished.get(i)) {
      throw new IllegalStateException("delivery tag " + tag + " was already settled");
    }
    return i;
  }

  /** Finished tags not yet acked. */
  int pending() {
    return pending;
  }

  /** Delivered tags the broker still counts as unacknowledged. */
  long unacked() {
    return base < 0 ? 0 : (next - base) - sent.cardinality();
  }

  /** Delivered tags whose handler has not finished. */
  long unfinished() {
    return base < 0 ? 0 : (next - base) - finished.cardinality();
  }

  /**
   * Takes the acks to send now and records them as sent.
   *
   * @param everything also ack finished tags above a gap, however few
   * @param pressure ack finished tags above a gap one by one once this many wait there...
   * @param nowNanos the current {@link System#nanoTime()}
   * @param stallNanos ...and the gap's lowest unfinished tag has been so for this long
   */
  Acks take(boolean everything, int pressure, long nowNanos, long stallNanos) {
    if (pending == 0) {
      return Acks.NONE;
    }
    int prefix = finished.nextClearBit(0);
    if (head != base + prefix) {
      head = base + prefix;
      headSinceNanos = nowNanos;
    }
    boolean stalled = nowNanos - headSinceNanos >= stallNanos;
    int unsentInPrefix = prefix - sent.get(0, prefix).cardinality();
    // RabbitMQ refuses a multiple ack whose own tag is no longer outstanding ("unknown delivery
    // tag"), so it ends at the highest tag of the prefix not already settled one by one
    int lastUnsent = prefix == 0 ? -1 : sent.previousClearBit(prefix - 1);
    long multipleUpTo = lastUnsent >= 0 ? base + lastUnsent : 0;
    int beyondGap = pending - unsentInPrefix;
    long[] singles = new long[0];
    if (beyondGap > 0 && (everything || beyondGap >= pressure && stalled)) {
      singles = new long[beyondGap];
      int n = 0;
      for (int i = finished.nextSetBit(prefix); i >= 0; i = finished.nextSetBit(i + 1)) {
        if (!sent.get(i)) {
          sent.set(i);
          singles[n++] = base + i;
        }
      }
      pending -= beyondGap;
    }
    pending -= unsentInPrefix;
    if (prefix > 0) {
      finished = finished.get(prefix, Math.max(prefix, finished.length()));
      sent = sent.get(prefix, Math.max(prefix, sent.length()));
      base += prefix;
    }
    return multipleUpTo == 0 && singles.length == 0 ? Acks.NONE : new Acks(multipleUpTo, singles);
  }

  private int index(long tag) {
    long i = tag - base;
    if (i > Integer.MAX_VALUE) {
      throw new IllegalStateException("more than 2^31 deliveries outstanding behind tag " + base);
    }
    return (int) i;
  }
}
