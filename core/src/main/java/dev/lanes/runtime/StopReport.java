package dev.lanes.runtime;

import java.time.Duration;

/**
 * How a graceful stop went.
 *
 * @param clean nothing was left running at the deadline: every delivery received was settled, or
 *     released by a finish-running stop (both are normal; only {@code abandoned} work is not)
 * @param finished deliveries settled during the stop: handled, or parked retries handed back
 * @param released queued deliveries handed back unhandled, without an attempt counted, by a stop in
 *     {@code finish-running} mode
 * @param abandoned deliveries left unsettled at the deadline for the broker to redeliver
 * @param took how long the stop took
 */
public record StopReport(boolean clean, int finished, int released, int abandoned, Duration took) {

  /** The report of a stop that had nothing to do. */
  static StopReport nothingToDo() {
    return new StopReport(true, 0, 0, 0, Duration.ZERO);
  }

  /** This report, not clean (the task failed even though the stop itself went well). */
  public StopReport unclean() {
    return new StopReport(false, finished, released, abandoned, took);
  }

  /** The counts for a log line or a reply: {@code finished 4, released 4404, abandoned 0}. */
  public String counts() {
    return "finished " + finished + ", released " + released + ", abandoned " + abandoned;
  }
}
