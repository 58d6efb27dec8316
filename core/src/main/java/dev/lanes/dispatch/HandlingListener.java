package dev.lanes.dispatch;

import dev.lanes.api.Message;

/**
 * Told what happened to each handler call of a task, for alerting. Called on lane threads right
 * after the outcome is decided: implementations must be thread-safe, return quickly and not throw
 * (an exception is logged and otherwise ignored; the delivery is settled regardless).
 */
public interface HandlingListener {

  /** A listener that ignores everything. */
  HandlingListener NONE = new HandlingListener() {};

  /**
   * One handler call ended.
   *
   * @param outcome {@code ack}, {@code retry} or {@code reject}, as on {@code lanes.outcome}
   * @param failure what the handler threw (or the timeout), or {@code null}
   * @param nanos how long the handler ran
   */
  default void handled(Message message, String outcome, Throwable failure, long nanos) {}

  /**
   * A message was sent to the dead letter destination.
   *
   * @param retriesExhausted {@code true} when it failed on its last allowed attempt, {@code false}
   *     when the handler rejected it
   */
  default void deadLettered(Message message, String reason, boolean retriesExhausted) {}

  /**
   * The task's circuit breaker opened from closed: an outage starts. Intake is paused and lanes
   * hold their messages until probes succeed. Not called again when a failed probe opens it again:
   * the same outage goes on. Called on the lane thread whose failure opened it.
   *
   * @param failureRate the percentage of failed calls in the window
   * @param failedCalls failed calls in the window
   * @param calls calls in the window
   * @param lastFailure what the call that opened it threw, or that the handler asked to retry
   */
  default void circuitOpened(float failureRate, int failedCalls, int calls, String lastFailure) {}

  /**
   * The task's circuit breaker closed after probes succeeded: the outage is over and intake
   * resumes.
   *
   * @param openMillis how long it was not closed, from the first opening
   * @param probes probe calls made in that time
   */
  default void circuitClosed(long openMillis, int probes) {}
}
