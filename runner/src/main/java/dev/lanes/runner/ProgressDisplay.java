package dev.lanes.runner;

import dev.lanes.dispatch.TaskStats;
import dev.lanes.runtime.TaskRuntime;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * The progress of a foreground run on stderr. On a terminal ({@code tty}) one line is redrawn in
 * place every second; otherwise ({@code plain}) a full line is printed every ten seconds, so logs
 * collected from a pipe are not flooded; {@code off} prints nothing.
 */
final class ProgressDisplay {

  /** How progress is shown; {@code auto} picks {@code tty} when a console is attached. */
  enum Mode {
    AUTO,
    TTY,
    PLAIN,
    OFF;

    Mode resolve() {
      if (this != AUTO) {
        return this;
      }
      String term = System.getenv("TERM");
      boolean terminal = System.console() != null && term != null && !term.equals("dumb");
      return terminal ? TTY : PLAIN;
    }
  }

  private static final int PLAIN_EVERY = 10;
  private static final String CLEAR_LINE = "\r\033[K";

  private final PrintWriter out;
  private final Mode mode;
  private long lastReceived;
  private long lastHandled;
  private long lastNanos = System.nanoTime();
  private int ticks;
  private boolean drawn;

  ProgressDisplay(PrintWriter out, Mode mode) {
    this.out = out;
    this.mode = mode.resolve();
  }

  /** Called about once a second. */
  void tick(TaskRuntime runtime) {
    ticks++;
    if (mode == Mode.OFF || (mode == Mode.PLAIN && ticks % PLAIN_EVERY != 0)) {
      return;
    }
    String line = line(runtime);
    if (mode == Mode.TTY) {
      out.print(CLEAR_LINE + line);
      drawn = true;
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** Ends the redrawn line so that what follows starts on a line of its own. */
  void finish() {
    if (drawn) {
      out.println();
      out.flush();
      drawn = false;
    }
  }

  private String line(TaskRuntime runtime) {
    TaskStats stats = runtime.stats();
    long now = System.nanoTime();
    double seconds = Math.max(1e-9, (now - lastNanos) / 1e9);
    long handled = stats.acked() + stats.retried() + stats.rejected();
    long receivedRate = Math.round((stats.received() - lastReceived) / seconds);
    long handledRate = Math.round((handled - lastHandled) / seconds);
    lastReceived = stats.received();
    lastHandled = handled;
    lastNanos = now;
    return line(runtime.task().name(), stats, runtime.backlog(), receivedRate, handledRate);
  }

  static String line(
      String task, TaskStats stats, OptionalLong backlog, long receivedRate, long handledRate) {
    return String.format(
        Locale.ROOT,
        "%s: received %d (%d/s), handled %d/s, acked %d, retried %d, rejected %d, in flight %d, backlog %s",
        task,
        stats.received(),
        receivedRate,
        handledRate,
        stats.acked(),
        stats.retried(),
        stats.rejected(),
        stats.inFlight(),
        backlog.isPresent() ? Long.toString(backlog.getAsLong()) : "n/a");
  }
}
