package dev.lanes.runner;

import dev.lanes.dispatch.TaskStats;
import dev.lanes.runner.service.TaskService;
import dev.lanes.runtime.StopReport;
import java.io.PrintWriter;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one started task in the foreground until it is stopped (SIGTERM / Ctrl+C) or, when {@code
 * exitWhenIdle} is set, until it has been idle that long. SIGHUP re-reads the task file. Shows
 * progress on the way and prints a summary at the end; the caller turns the report into the exit
 * code. A shutdown hook stops the task gracefully on any other way out of the JVM.
 */
final class ForegroundRun {

  private static final Logger log = LoggerFactory.getLogger(ForegroundRun.class);
  private static final Duration TICK = Duration.ofSeconds(1);

  private final TaskService service;
  private final PrintWriter out;
  private final ProgressDisplay progress;
  private boolean summarized;

  ForegroundRun(TaskService service, PrintWriter out, PrintWriter err, ProgressDisplay.Mode mode) {
    this.service = service;
    this.out = out;
    this.progress = new ProgressDisplay(err, mode);
  }

  /** Blocks until the task stopped; returns its stop report. */
  StopReport run() throws InterruptedException {
    Thread hook = new Thread(this::stopOnExit, "lanes-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    StopReport report;
    try (Signals signals = Signals.install(service::stop, this::reload)) {
      log.info(
          "task {}: running (pid {}); SIGTERM or Ctrl+C stops it gracefully, SIGHUP reloads",
          service.config().name(),
          ProcessHandle.current().pid());
      while ((report = service.awaitStopped(TICK)) == null) {
        progress.tick(service.runtime());
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the JVM is already exiting: the hook is running or ran
    }
    progress.finish();
    summarize(report);
    return report;
  }

  private void reload() {
    TaskService.Reply reply = service.update();
    if (reply.ok()) {
      log.info("SIGHUP: {}", reply.text());
    } else {
      log.error("SIGHUP: {}", reply.text());
    }
  }

  private void stopOnExit() {
    StopReport report = service.stop();
    progress.finish();
    summarize(report);
  }

  private synchronized void summarize(StopReport r) {
    if (summarized) {
      return;
    }
    summarized = true;
    TaskStats stats = service.runtime().stats();
    out.printf(
        "%s: %s in %d ms (%s); received %d, acked %d, retried %d, rejected %d%s%n",
        service.config().name(),
        r.clean() ? "stopped cleanly" : "stopped",
        r.took().toMillis(),
        r.counts(),
        stats.received(),
        stats.acked(),
        stats.retried(),
        stats.rejected(),
        r.clean() ? "" : ", left unacked for redelivery " + r.abandoned());
    out.flush();
  }
}
