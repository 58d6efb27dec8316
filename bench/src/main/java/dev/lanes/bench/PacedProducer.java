package dev.lanes.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends {@code records} messages at a fixed rate from the calling thread: message {@code i} is due
 * at {@code start + i / rate} and carries that due time as its stamp, whenever it actually goes
 * out. A late producer therefore shows as latency instead of silently lowering the load (no
 * coordinated omission); it affects Lanes and the raw client alike. Message {@code i} has key
 * {@code i mod keys} and number {@code i / keys} within its key. What is due at once goes out as
 * one batch of at most {@value #MAX_BATCH}.
 */
final class PacedProducer {

  /** What a transport's producer does with one batch of due messages. */
  @FunctionalInterface
  interface Sender extends AutoCloseable {
    void send(List<Due> batch) throws Exception;

    @Override
    default void close() throws Exception {}
  }

  /** One message to send. */
  record Due(int key, int seq, long stampNanos) {
    byte[] payload() {
      return LatencyProbe.payload(key, seq, stampNanos);
    }
  }

  static final int MAX_BATCH = 1000;

  private PacedProducer() {}

  /** Sends every message, paced from {@code startNanos}; returns when the last one is sent. */
  static void run(Sender sender, int records, int keys, double rate, long startNanos)
      throws Exception {
    double nanosPerMessage = 1e9 / rate;
    int sent = 0;
    List<Due> batch = new ArrayList<>(MAX_BATCH);
    while (sent < records) {
      long now = System.nanoTime();
      long dueCount = now < startNanos ? 0 : (long) ((now - startNanos) / nanosPerMessage) + 1;
      int until = (int) Math.min(Math.min(dueCount, records), sent + (long) MAX_BATCH);
      if (until <= sent) {
        LockSupport.parkNanos(startNanos + (long) (sent * nanosPerMessage) - now);
        continue;
      }
      batch.clear();
      for (int i = sent; i < until; i++) {
        batch.add(new Due(i % keys, i / keys, startNanos + (long) (i * nanosPerMessage)));
      }
      sender.send(batch);
      sent = until;
    }
  }

  /** Sends {@code records} messages as fast as the sender takes them, stamped 0: a backlog. */
  static void preload(Sender sender, int records, int keys) throws Exception {
    List<Due> batch = new ArrayList<>(MAX_BATCH);
    for (int i = 0; i < records; i += MAX_BATCH) {
      batch.clear();
      for (int j = i; j < Math.min(records, i + MAX_BATCH); j++) {
        batch.add(new Due(j % keys, j / keys, 0));
      }
      sender.send(batch);
    }
  }
}
