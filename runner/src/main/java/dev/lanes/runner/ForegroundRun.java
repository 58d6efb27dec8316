package dev.lanes.runner;

import dev.lanes.dispatch.TaskStats;
import dev.lanes.runtime.StopReport;
import dev.lanes.runtime.TaskRuntime;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs one started task until it is stopped (SIGTERM / Ctrl+C through a shutdown hook) or, when
 * {@code exitWhenIdle} is set, until it has been idle that long; prints progress on the way and a
 * summary at the end.
 */
final class ForegroundRun {

  private static final Duration TICK = Duration.ofSeconds(1);

  private final TaskRuntime runtime;
  private final PrintWriter out;
  private final PrintWriter err;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile StopReport report;

  ForegroundRun(TaskRuntime runtime, PrintWriter out, PrintWriter err) {
    this.runtime = runtime;
    this.out = out;
    this.err = err;
  }

  /** Blocks until the task stopped; returns its stop report. */
  StopReport run(Duration exitWhenIdle) throws InterruptedException {
    Thread hook = new Thread(this::stopOnSignal, "lanes-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    ProgressReporter progress = new ProgressReporter(runtime, err);
    IdleWatch idle = new IdleWatch(exitWhenIdle);
    while (!stopped.await(TICK.toMillis(), TimeUnit.MILLISECONDS)) {
      progress.report();
      if (idle.isIdleLongEnough(runtime.stats(), runtime.backlog())) {
        err.println(runtime.task().name() + ": idle for " + exitWhenIdle.toMillis() + " ms, stopping");
        err.flush();
        stop();
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the JVM is already exiting: the hook is running or ran
    }
    progress.report();
    summarize();
    return report;
  }

  private void stopOnSignal() {
    stop();
    summarize();
  }

  private synchronized void stop() {
    if (report == null) {
      report = runtime.stop();
      stopped.countDown();
    }
  }

  private void summarize() {
    TaskStats stats = runtime.stats();
    StopReport r = report;
    out.printf("%s: %s in %d ms; received %d, acked %d, retried %d, rejected %d%s%n",
        runtime.task().name(), r.clean() ? "stopped cleanly" : "stopped", r.took().toMillis(),
        stats.received(), stats.acked(), stats.retried(), stats.rejected(),
        r.clean() ? "" : ", left unacked for redelivery " + r.abandoned());
    out.flush();
  }

  /** Tracks how long the task has been without progress and without backlog. */
  private static final class IdleWatch {
    private final long thresholdNanos;
    private long lastReceived = -1;
    private long idleSince;

    IdleWatch(Duration threshold) {
      this.thresholdNanos = threshold.toNanos();
    }

    boolean isIdleLongEnough(TaskStats stats, OptionalLong backlog) {
      if (thresholdNanos == 0) {
        return false;
      }
      long now = System.nanoTime();
      boolean quiet = stats.received() == lastReceived && stats.inFlight() == 0
          && backlog.orElse(0) == 0;
      lastReceived = stats.received();
      if (!quiet) {
        idleSince = now;
        return false;
      }
      return now - idleSince >= thresholdNanos;
    }
  }
}
