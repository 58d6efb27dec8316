package dev.lanes.spi;

import dev.lanes.api.Message;
import java.util.Objects;

/**
 * A message plus the means to settle it on its broker, and when its source received it.
 *
 * @param message what the handler sees
 * @param acknowledger settles this delivery on the broker; used exactly once to settle
 * @param receivedNanos the {@link System#nanoTime()} at which the source had the message from its
 *     broker client: where the time Lanes adds begins, up to the handler call ({@code
 *     lanes.lane.wait.duration})
 */
public record Delivery(Message message, Acknowledger acknowledger, long receivedNanos) {

  public Delivery {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(acknowledger, "acknowledger");
  }

  /** A delivery received now: a source builds it as soon as its client hands the message over. */
  public Delivery(Message message, Acknowledger acknowledger) {
    this(message, acknowledger, System.nanoTime());
  }
}
