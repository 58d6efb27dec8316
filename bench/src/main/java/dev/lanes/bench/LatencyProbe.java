package dev.lanes.bench;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The handler side of the latency workload: what a consumer under test calls first thing on every
 * message. It takes the time, records {@code now − the message's send stamp} in an HdrHistogram
 * when the message was sent after the warm-up, and tallies the message for the self-check (handled
 * set, duplicates, per-key order). Thread-safe: lanes call it concurrently.
 *
 * <p>The payload is {@code {"order_id":KEY,"seq":SEQ,"t":STAMP}}: an integer key (Lanes routes it
 * by {@code deliverBy = order_id}), the message's number within its key, and the {@link
 * System#nanoTime()} at which the producer was due to send it. Producer and consumers share one
 * process, so the stamps compare.
 */
final class LatencyProbe {

  private final Tally tally;
  private final Recorder recorder = new Recorder(3);
  private volatile long measureFromNanos = Long.MAX_VALUE;

  LatencyProbe(int records) {
    this.tally = new Tally(records);
  }

  /** Messages stamped at or after {@code stampNanos} are measured; earlier ones only tallied. */
  void measureFrom(long stampNanos) {
    measureFromNanos = stampNanos;
  }

  /** A message reached the handler (or the raw client's callback). */
  void received(byte[] payload) {
    long now = System.nanoTime();
    long[] fields = parse(payload);
    if (fields[2] >= measureFromNanos) {
      recorder.recordValue(now - fields[2]);
    }
    tally.started(fields[0] + ":" + fields[1], now);
    tally.ended(now, now);
  }

  boolean awaitAll(long timeout, TimeUnit unit) throws InterruptedException {
    return tally.awaitAll(timeout, unit);
  }

  /** What was measured so far, in nanoseconds; call once, after the run. */
  Histogram latencies() {
    return recorder.getIntervalHistogram();
  }

  Tally.Result result(String consumer, int workers) {
    return tally.result(consumer, 0, workers);
  }

  /** The payload of message {@code seq} of {@code key}, due at {@code stampNanos}. */
  static byte[] payload(int key, int seq, long stampNanos) {
    return ("{\"order_id\":" + key + ",\"seq\":" + seq + ",\"t\":" + stampNanos + "}")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** The three numbers of a {@link #payload}, in order: key, seq, stamp. */
  static long[] parse(byte[] payload) {
    long[] fields = new long[3];
    int field = -1;
    long value = 0;
    boolean negative = false;
    for (byte b : payload) {
      if (b == ':') {
        field++;
        value = 0;
        negative = false;
      } else if (b == '-') {
        negative = true;
      } else if (b >= '0' && b <= '9') {
        value = value * 10 + (b - '0');
      } else if ((b == ',' || b == '}') && field >= 0 && field < 3) {
        fields[field] = negative ? -value : value;
      }
    }
    if (field != 2) {
      throw new IllegalArgumentException(
          "not a latency payload: " + new String(payload, StandardCharsets.US_ASCII));
    }
    return fields;
  }
}
