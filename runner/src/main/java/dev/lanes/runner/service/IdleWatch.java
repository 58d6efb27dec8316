package dev.lanes.runner.service;

import dev.lanes.dispatch.TaskStats;
import java.time.Duration;
import java.util.OptionalLong;

/** Tracks how long a task has been without progress and without backlog ({@code exitWhenIdle}). */
final class IdleWatch {

  private long lastReceived = -1;
  private long idleSince = System.nanoTime();

  /** Called once per tick; a zero threshold never reports idle. */
  boolean isIdleLongEnough(Duration threshold, TaskStats stats, OptionalLong backlog) {
    long now = System.nanoTime();
    boolean quiet =
        stats.received() == lastReceived && stats.inFlight() == 0 && backlog.orElse(0) == 0;
    lastReceived = stats.received();
    if (!quiet) {
      idleSince = now;
      return false;
    }
    return !threshold.isZero() && now - idleSince >= threshold.toNanos();
  }
}
