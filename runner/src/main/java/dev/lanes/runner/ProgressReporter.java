package dev.lanes.runner;

import dev.lanes.dispatch.TaskStats;
import dev.lanes.runtime.TaskRuntime;
import java.io.PrintWriter;
import java.util.OptionalLong;

/** Formats a task's counters as one progress line, with the receive rate since the last line. */
final class ProgressReporter {

  private final TaskRuntime runtime;
  private final PrintWriter out;
  private long lastReceived;
  private long lastNanos = System.nanoTime();

  ProgressReporter(TaskRuntime runtime, PrintWriter out) {
    this.runtime = runtime;
    this.out = out;
  }

  void report() {
    TaskStats stats = runtime.stats();
    long now = System.nanoTime();
    double seconds = Math.max(1e-9, (now - lastNanos) / 1e9);
    long rate = Math.round((stats.received() - lastReceived) / seconds);
    lastReceived = stats.received();
    lastNanos = now;
    out.println(line(runtime.task().name(), stats, runtime.backlog(), rate));
    out.flush();
  }

  static String line(String task, TaskStats stats, OptionalLong backlog, long ratePerSecond) {
    return String.format("%s: received %d (%d/s), acked %d, retried %d, rejected %d, in flight %d, backlog %s",
        task, stats.received(), ratePerSecond, stats.acked(), stats.retried(), stats.rejected(),
        stats.inFlight(), backlog.isPresent() ? Long.toString(backlog.getAsLong()) : "n/a");
  }
}
