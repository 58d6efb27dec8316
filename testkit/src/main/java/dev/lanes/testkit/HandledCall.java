package dev.lanes.testkit;

import dev.lanes.api.Message;
import dev.lanes.api.Outcome;

/**
 * One call of the handler under test.
 *
 * @param message what the handler got (its {@link Message#attempt()} counts retries)
 * @param outcome what it returned, or {@code null} when it threw
 * @param failure what it threw, or {@code null}
 * @param lane the lane it ran on
 */
public record HandledCall(Message message, Outcome outcome, Throwable failure, int lane) {

  /** Whether the handler returned {@link Outcome#ack()}. */
  public boolean acked() {
    return outcome instanceof Outcome.Ack;
  }
}
