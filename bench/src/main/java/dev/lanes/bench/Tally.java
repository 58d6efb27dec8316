package dev.lanes.bench;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a consumer under test handled, judged against what was produced: {@code keys} keys with
 * sequence numbers 0.. per key, {@code records} in all. A record handled twice is a duplicate; a
 * first occurrence whose sequence number is not the next one of its key is a per-key order
 * violation. Thread-safe; called at the start of every handler call.
 */
final class Tally {

  private final int records;
  private final ConcurrentHashMap<String, int[]> nextSeqByKey = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Boolean> seen = new ConcurrentHashMap<>();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder violations = new LongAdder();
  private final CountDownLatch allHandled;
  private final LongAccumulator firstStart = new LongAccumulator(Math::min, Long.MAX_VALUE);
  private final AtomicLong lastEnd = new AtomicLong();
  private final LongAdder handlerNanos = new LongAdder();

  Tally(int records) {
    this.records = records;
    this.allHandled = new CountDownLatch(records);
  }

  /** A handler call began on {@code value} ({@code "<key>:<seq>"}) at {@code startNanos}. */
  void started(String value, long startNanos) {
    firstStart.accumulate(startNanos);
    if (seen.putIfAbsent(value, Boolean.TRUE) != null) {
      duplicates.increment();
      return;
    }
    int colon = value.lastIndexOf(':');
    String key = value.substring(0, colon);
    int seq = Integer.parseInt(value.substring(colon + 1));
    nextSeqByKey.compute(
        key,
        (k, next) -> {
          int[] n = next == null ? new int[1] : next;
          if (seq != n[0]) {
            violations.increment();
          }
          n[0] = Math.max(n[0], seq + 1);
          return n;
        });
  }

  /**
   * The handler call on a first occurrence, begun at {@code startNanos}, ended at {@code endNanos}.
   */
  void ended(long startNanos, long endNanos) {
    handlerNanos.add(endNanos - startNanos);
    lastEnd.accumulateAndGet(endNanos, Math::max);
    allHandled.countDown();
  }

  boolean awaitAll(long timeout, TimeUnit unit) throws InterruptedException {
    return allHandled.await(timeout, unit);
  }

  /**
   * The result, once every record was handled (or the wait gave up).
   *
   * @param workers how many calls the consumer may run at once
   */
  Result result(String mode, long cpuNanos, int workers) {
    long nanos = lastEnd.get() - firstStart.get();
    int distinct = seen.size();
    double busy = nanos <= 0 ? 0 : handlerNanos.sum() / ((double) workers * nanos);
    return new Result(
        mode,
        distinct,
        records,
        duplicates.sum(),
        violations.sum(),
        nanos <= 0 ? 0 : records * 1e9 / nanos,
        distinct == 0 ? 0 : cpuNanos / 1e3 / distinct,
        distinct == 0 ? 0 : handlerNanos.sum() / 1e6 / distinct,
        busy);
  }

  /**
   * @param handled distinct records handled (must equal {@code produced})
   * @param rate records per second from the first handler start to the last handler end
   * @param cpuMicrosPerRecord process CPU time of the run per record
   * @param handlerMillis the mean handler call, sleep overshoot included
   * @param busy the share of worker time spent in handler calls
   */
  record Result(
      String mode,
      int handled,
      int produced,
      long duplicates,
      long orderViolations,
      double rate,
      double cpuMicrosPerRecord,
      double handlerMillis,
      double busy) {

    boolean valid() {
      return handled == produced && orderViolations == 0;
    }
  }
}
