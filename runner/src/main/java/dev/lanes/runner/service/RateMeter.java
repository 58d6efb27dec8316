package dev.lanes.runner.service;

import dev.lanes.dispatch.TaskStats;
import java.util.ArrayDeque;

/**
 * Per-second rates of received and handled (acked + retried + rejected) messages over the last
 * {@code window} samples. Fed by one thread; read from any.
 */
final class RateMeter {

  private record Sample(long nanos, long received, long handled) {}

  private final int window;
  private final ArrayDeque<Sample> samples = new ArrayDeque<>();

  RateMeter(int window) {
    this.window = window;
  }

  synchronized void sample(TaskStats stats, long nanos) {
    Sample latest = samples.peekLast();
    long handled = stats.acked() + stats.retried() + stats.rejected();
    if (latest != null && (stats.received() < latest.received || handled < latest.handled)) {
      samples.clear(); // a new pipeline started its counters from zero
    }
    samples.addLast(new Sample(nanos, stats.received(), handled));
    while (samples.size() > window) {
      samples.removeFirst();
    }
  }

  /** Received per second over the window; 0 until two samples exist. */
  synchronized long receivedPerSecond() {
    return rate(true);
  }

  /** Handled per second over the window. */
  synchronized long handledPerSecond() {
    return rate(false);
  }

  private long rate(boolean received) {
    if (samples.size() < 2) {
      return 0;
    }
    Sample first = samples.peekFirst();
    Sample last = samples.peekLast();
    double seconds = (last.nanos - first.nanos) / 1e9;
    long delta = received ? last.received - first.received : last.handled - first.handled;
    return seconds <= 0 ? 0 : Math.round(delta / seconds);
  }
}
