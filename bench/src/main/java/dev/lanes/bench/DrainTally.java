package dev.lanes.bench;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one consumer under test handled of a backlog of {@link DrainPayload} records, judged against
 * what was produced: a record handled twice is a duplicate; a first occurrence whose number is not
 * the next one of its key is a per-key order violation; a value that is not one of the backlog's is
 * foreign. Also times the drain from the start of the first handler call to the end of the call
 * that completed the set, and reads the process CPU time at both ends, so connecting, joining a
 * group and closing are left out of both. Thread-safe and free of locks and of allocation per
 * record (a handler of every consumer calls {@link #handled} on every record, so its cost is the
 * same for all).
 */
final class DrainTally {

  private static final com.sun.management.OperatingSystemMXBean OS =
      ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class);

  private final int records;
  private final int keys;
  private final AtomicIntegerArray seen;
  private final AtomicIntegerArray nextSeqByKey;
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder violations = new LongAdder();
  private final LongAdder foreign = new LongAdder();
  private final AtomicInteger remaining;
  private final CountDownLatch done = new CountDownLatch(1);
  private final AtomicBoolean started = new AtomicBoolean();
  private volatile long firstNanos;
  private volatile long firstCpuNanos;
  private volatile long lastNanos;
  private volatile long lastCpuNanos;

  DrainTally(int records, int keys) {
    this.records = records;
    this.keys = keys;
    this.seen = new AtomicIntegerArray(records);
    this.nextSeqByKey = new AtomicIntegerArray(keys);
    this.remaining = new AtomicInteger(records);
  }

  /** A handler call on {@code value}; returns when the record is counted. */
  void handled(byte[] value) {
    if (!started.get() && started.compareAndSet(false, true)) {
      firstNanos = System.nanoTime();
      firstCpuNanos = OS.getProcessCpuTime();
    }
    long parsed = DrainPayload.parse(value);
    int key = (int) (parsed >>> 32);
    int seq = (int) parsed;
    long index = (long) seq * keys + key;
    if (parsed == DrainPayload.FOREIGN || key >= keys || index >= records) {
      foreign.increment();
      return;
    }
    if (seen.getAndIncrement((int) index) > 0) {
      duplicates.increment();
      return;
    }
    if (nextSeqByKey.getAndAccumulate(key, seq + 1, Math::max) != seq) {
      violations.increment();
    }
    if (remaining.decrementAndGet() == 0) {
      lastCpuNanos = OS.getProcessCpuTime();
      lastNanos = System.nanoTime();
      done.countDown();
    }
  }

  /** Waits until every record of the backlog was handled at least once. */
  boolean awaitAll(long timeout, TimeUnit unit) throws InterruptedException {
    return done.await(timeout, unit);
  }

  /** The result so far; rate and CPU are 0 unless every record was handled. */
  Result result() {
    int handled = records - remaining.get();
    boolean complete = handled == records;
    long nanos = complete ? Math.max(1, lastNanos - firstNanos) : 0;
    return new Result(
        handled,
        records,
        duplicates.sum(),
        violations.sum(),
        foreign.sum(),
        complete ? records * 1e9 / nanos : 0,
        complete ? (lastCpuNanos - firstCpuNanos) / 1e3 / records : 0,
        nanos / 1e9);
  }

  /**
   * @param handled distinct records handled (must equal {@code produced})
   * @param rate records per second over the drain
   * @param cpuMicrosPerRecord process CPU time over the drain per record
   * @param seconds the drain, first handler start to last handler end
   */
  record Result(
      int handled,
      int produced,
      long duplicates,
      long orderViolations,
      long foreign,
      double rate,
      double cpuMicrosPerRecord,
      double seconds) {

    /** Every record handled, nothing foreign, and per-key order kept where it is promised. */
    boolean valid(boolean ordered) {
      return handled == produced && foreign == 0 && (!ordered || orderViolations == 0);
    }
  }
}
