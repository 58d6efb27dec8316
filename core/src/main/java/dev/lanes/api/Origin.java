package dev.lanes.api;

import java.util.Objects;

/**
 * Where a message came from on its broker.
 *
 * @param destination queue, topic or topic/channel name
 * @param partition Kafka partition, or {@code -1} where the broker has none
 * @param offset Kafka offset or local sequence number, or {@code -1} where the broker has none
 */
public record Origin(String destination, int partition, long offset) {

  /** An origin without partition and offset. */
  public static Origin of(String destination) {
    return new Origin(destination, -1, -1);
  }

  public Origin {
    Objects.requireNonNull(destination, "destination");
  }
}
