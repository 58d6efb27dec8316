package dev.lanes.transport.local;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.regex.Pattern;

/** Reads the {@link LocalHeaders} of a message to be published into the moment it becomes due. */
final class DeliveryTime {

  private static final Pattern EPOCH_SECONDS = Pattern.compile("\\d{1,12}(\\.\\d{1,9})?");
  private static final Pattern BARE_NUMBER = Pattern.compile("[+-]?\\d+(\\.\\d*)?");

  private DeliveryTime() {}

  /**
   * The moment a message with these headers becomes deliverable, in epoch milliseconds.
   *
   * @param now the publish time, epoch milliseconds
   * @throws IllegalArgumentException when both headers are given or one is not valid
   */
  static long dueAt(Map<String, String> headers, long now) {
    String deliverAt = headers.get(LocalHeaders.DELIVER_AT);
    String delay = headers.get(LocalHeaders.DELAY);
    if (deliverAt != null && delay != null) {
      throw new IllegalArgumentException(
          "give either header '"
              + LocalHeaders.DELIVER_AT
              + "' or '"
              + LocalHeaders.DELAY
              + "', not both");
    }
    try {
      if (deliverAt != null) {
        return Math.max(now, parseDeliverAt(deliverAt.trim()).toEpochMilli());
      }
      if (delay != null) {
        return Math.addExact(now, parseDelay(delay.trim()).toMillis());
      }
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          "header '"
              + (deliverAt != null
                  ? LocalHeaders.DELIVER_AT + "' = '" + deliverAt
                  : LocalHeaders.DELAY + "' = '" + delay)
              + "': too far in the future",
          e);
    }
    return now;
  }

  /** Parses a {@link LocalHeaders#DELIVER_AT} value. */
  static Instant parseDeliverAt(String value) {
    if (EPOCH_SECONDS.matcher(value).matches()) {
      return Instant.ofEpochMilli(new BigDecimal(value).movePointRight(3).longValue());
    }
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "header '"
              + LocalHeaders.DELIVER_AT
              + "' = '"
              + value
              + "': expected epoch seconds "
              + "(1767225600) or an ISO-8601 instant with zone (2026-01-01T00:00:00Z)",
          e);
    }
  }

  /** Parses a {@link LocalHeaders#DELAY} value. */
  static Duration parseDelay(String value) {
    Duration delay;
    try {
      if (value.startsWith("P") || value.startsWith("p")) {
        delay = Duration.parse(value);
      } else if (BARE_NUMBER.matcher(value).matches()) {
        throw new IllegalArgumentException("a unit is required");
      } else {
        delay =
            ConfigFactory.empty()
                .withValue("delay", ConfigValueFactory.fromAnyRef(value))
                .getDuration("delay");
      }
    } catch (DateTimeParseException | ConfigException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "header '"
              + LocalHeaders.DELAY
              + "' = '"
              + value
              + "': expected a duration such as "
              + "5s, 500ms, 2 minutes or PT5S",
          e);
    }
    if (delay.isNegative()) {
      throw new IllegalArgumentException(
          "header '" + LocalHeaders.DELAY + "' = '" + value + "': must not be negative");
    }
    return delay;
  }
}
