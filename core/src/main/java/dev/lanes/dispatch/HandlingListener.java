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
}
