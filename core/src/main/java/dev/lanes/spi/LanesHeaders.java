package dev.lanes.spi;

import dev.lanes.api.Message;
import dev.lanes.api.Origin;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Header names Lanes writes on retried and dead-lettered messages, the same on every broker that
 * has headers, and the one rule that builds them ({@link #retry}, {@link #deadLetter}).
 *
 * <p><b>The first origin is kept across hops.</b> The {@code lanes-original-*} headers say where a
 * message was first consumed. A message that already carries {@link #ORIGINAL_DESTINATION} (written
 * by an earlier retry or dead letter, then replayed) keeps the {@code lanes-original-*} headers it
 * carries; otherwise they are taken from the message's {@link Message#origin()}: the destination,
 * the partition and offset where the broker has them (Kafka's partition and offset, the local
 * queue's row id, the memory queue's sequence number; AMQP and NSQ have none), and {@link
 * Message#id()}. {@link #ORIGINAL_ID} is kept likewise when it is present.
 */
public final class LanesHeaders {

  /**
   * The attempt number: on a message handed back for a broker-side retry, the attempt it will have
   * when delivered again; on a dead letter, the attempt that failed last. A dead letter's own
   * consumer starts again at attempt 1.
   */
  public static final String ATTEMPT = "lanes-attempt";

  /** Why the message was dead-lettered. */
  public static final String REASON = "lanes-reason";

  /** The queue/topic the message was first consumed from. */
  public static final String ORIGINAL_DESTINATION = "lanes-original-destination";

  /** The partition it was first consumed from, where the broker has partitions. */
  public static final String ORIGINAL_PARTITION = "lanes-original-partition";

  /** The offset it was first consumed from, where the broker has offsets. */
  public static final String ORIGINAL_OFFSET = "lanes-original-offset";

  /** The original message id. */
  public static final String ORIGINAL_ID = "lanes-original-id";

  private LanesHeaders() {}

  /**
   * The Lanes headers of a copy of {@code message} handed back to the broker for another attempt:
   * {@link #ATTEMPT} = {@code attempt} and the {@linkplain #origin first origin}. A new, mutable
   * map; the transport adds them to the message's own headers.
   */
  public static Map<String, String> retry(Message message, int attempt) {
    Map<String, String> headers = origin(message);
    headers.put(ATTEMPT, Integer.toString(attempt));
    return headers;
  }

  /**
   * The Lanes headers of the dead letter of {@code message}: {@link #REASON}, {@link #ATTEMPT} =
   * {@code attempts} (in-process attempts included) and the {@linkplain #origin first origin}. A
   * new, mutable map; the transport adds them to the message's own headers.
   */
  public static Map<String, String> deadLetter(Message message, String reason, int attempts) {
    return deadLetter(message, reason, attempts, Map.of());
  }

  /**
   * As {@link #deadLetter(Message, String, int)}, with origin headers of the broker's own (NSQ's
   * {@code lanes-original-channel}) under the same rule: {@code brokerOrigin} on the first dead
   * letter; on a message that already carries a first origin, the values it carries.
   */
  public static Map<String, String> deadLetter(
      Message message, String reason, int attempts, Map<String, String> brokerOrigin) {
    Map<String, String> headers = origin(message);
    Map<String, String> carried = message.headers();
    boolean firstHop = !carried.containsKey(ORIGINAL_DESTINATION);
    brokerOrigin.forEach(
        (name, value) -> {
          String kept = firstHop ? value : carried.get(name);
          if (kept != null) {
            headers.put(name, kept);
          }
        });
    headers.put(REASON, reason == null ? "" : reason);
    headers.put(ATTEMPT, Integer.toString(attempts));
    return headers;
  }

  /**
   * The attempt a copy handed back for a retry carries in {@code headers}: its {@link #ATTEMPT}
   * value, at least 1; 1 when the header is missing or not a whole number. Only for a message the
   * transport knows to be such a copy (read from its retry queue or topic): on any other message
   * {@code lanes-attempt} is just a header.
   */
  public static int attempt(Map<String, String> headers) {
    String value = headers.get(ATTEMPT);
    if (value == null) {
      return 1;
    }
    try {
      return Math.max(1, Integer.parseInt(value.trim()));
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  /**
   * Where {@code message} was first consumed, as {@code lanes-original-*} headers, by the rule in
   * the class comment. A new, mutable map.
   */
  public static Map<String, String> origin(Message message) {
    Map<String, String> carried = message.headers();
    Map<String, String> headers = new LinkedHashMap<>();
    if (carried.containsKey(ORIGINAL_DESTINATION)) {
      for (String name : new String[] {ORIGINAL_DESTINATION, ORIGINAL_PARTITION, ORIGINAL_OFFSET}) {
        if (carried.containsKey(name)) {
          headers.put(name, carried.get(name));
        }
      }
    } else {
      Origin origin = message.origin();
      headers.put(ORIGINAL_DESTINATION, origin.destination());
      if (origin.partition() >= 0) {
        headers.put(ORIGINAL_PARTITION, Integer.toString(origin.partition()));
      }
      if (origin.offset() >= 0) {
        headers.put(ORIGINAL_OFFSET, Long.toString(origin.offset()));
      }
    }
    headers.put(ORIGINAL_ID, carried.getOrDefault(ORIGINAL_ID, message.id()));
    return headers;
  }
}
