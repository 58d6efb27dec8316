package dev.lanes.dispatch;

import dev.lanes.api.Message;
import java.util.Optional;

/**
 * Extracts the routing key of a message from the task's {@code deliverBy} field: a dotted JSON
 * path, {@code key} (the broker's key) or {@code header:NAME}. Keys are normalised so that the same
 * value routes alike whatever its source: integers and strings of digits become {@code Long},
 * everything else a {@code String}.
 */
@FunctionalInterface
interface RoutingKey {

  String BROKER_KEY = "key";
  String HEADER_PREFIX = "header:";

  /** The key, or {@code null} when the message has none (it goes to the least-loaded lane). */
  Object of(Message message);

  static RoutingKey forField(String deliverBy) {
    if (deliverBy == null || deliverBy.isBlank()) {
      return message -> null;
    }
    if (BROKER_KEY.equals(deliverBy)) {
      return message -> normalise(message.key());
    }
    if (deliverBy.startsWith(HEADER_PREFIX)) {
      String header = deliverBy.substring(HEADER_PREFIX.length());
      return message -> normalise(message.headers().get(header));
    }
    return message -> normalise(message.field(deliverBy));
  }

  private static Object normalise(Optional<Object> value) {
    return value.map(RoutingKey::normalise).orElse(null);
  }

  static Object normalise(Object value) {
    if (value == null || value instanceof Long) {
      return value;
    }
    String text = value.toString();
    if (isInteger(text)) {
      try {
        return Long.valueOf(text);
      } catch (NumberFormatException tooBig) {
        return text; // 19 digits beyond Long.MAX_VALUE
      }
    }
    return text;
  }

  private static boolean isInteger(String text) {
    int start = text.startsWith("-") ? 1 : 0;
    int digits = text.length() - start;
    if (digits < 1 || digits > 19) {
      return false; // longer numbers never fit a long and hash as strings
    }
    for (int i = start; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }
}
