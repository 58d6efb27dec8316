package dev.lanes.spi;

import dev.lanes.api.Message;
import java.util.Objects;

/**
 * A message plus the means to settle it on its broker.
 *
 * @param message what the handler sees
 * @param acknowledger settles this delivery on the broker; used exactly once to settle
 */
public record Delivery(Message message, Acknowledger acknowledger) {

  public Delivery {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(acknowledger, "acknowledger");
  }
}
