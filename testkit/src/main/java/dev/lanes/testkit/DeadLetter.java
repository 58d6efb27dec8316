package dev.lanes.testkit;

import dev.lanes.api.Message;
import dev.lanes.spi.LanesHeaders;

/**
 * A message that ended in the dead letter destination.
 *
 * @param message the message as dead-lettered (headers carry the original coordinates)
 */
public record DeadLetter(Message message) {

  /** Why it was dead-lettered: the reject reason, or "retries exhausted after N attempts: ...". */
  public String reason() {
    return message.headers().getOrDefault(LanesHeaders.REASON, "");
  }
}
