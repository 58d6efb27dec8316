package dev.lanes.transport.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.LongString;
import dev.lanes.api.Message;
import dev.lanes.api.Origin;
import dev.lanes.spi.LanesHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Converts between AMQP deliveries and {@link Message}s, and builds the properties of published
 * messages, retry copies and dead letters.
 *
 * <ul>
 *   <li>id: the {@code message-id} property; a random UUID when the producer set none (then it is
 *       not stable across redeliveries);
 *   <li>key: the {@value #KEY} header, else the routing key the message was published with;
 *   <li>attempt: the {@link LanesHeaders#ATTEMPT} header of a retry copy coming back to the queue
 *       it was retried from ({@value #RETRY_QUEUE} names that queue), else 1. So a dead letter,
 *       whose {@code lanes-attempt} tells the attempt that failed last, starts again at 1 on its
 *       own consumer, and foreign {@code lanes-attempt} headers are just headers;
 *   <li>timestamp: the {@code timestamp} property (whole seconds), else the time of receipt;
 *   <li>headers: every header with a scalar value, as text; tables and arrays (such as the broker's
 *       {@code x-death}) are left out.
 * </ul>
 *
 * Stateless; thread-safe.
 */
final class AmqpMessages {

  /**
   * The Lanes message key. AMQP has no key of its own and the routing key must match the queue's
   * binding, so the key travels in this header.
   */
  static final String KEY = "lanes-key";

  /** On a retry copy: the queue whose attempts {@link LanesHeaders#ATTEMPT} counts. */
  static final String RETRY_QUEUE = "lanes-retry-queue";

  private static final int PERSISTENT = 2;
  private static final int TRANSIENT = 1;

  private AmqpMessages() {}

  /**
   * @param queue the task's work queue ({@code amqp.queue}), the message's origin
   * @param partition the partition queue's number, or -1 without partitions
   */
  static Message toMessage(
      Envelope envelope, AMQP.BasicProperties props, byte[] body, String queue, int partition) {
    Map<String, Object> raw = props.getHeaders();
    Map<String, String> headers = raw == null || raw.isEmpty() ? Map.of() : text(raw);
    String id = props.getMessageId() != null ? props.getMessageId() : UUID.randomUUID().toString();
    String key = headers.getOrDefault(KEY, envelope.getRoutingKey());
    Date timestamp = props.getTimestamp();
    return Message.builder()
        .id(id)
        .key(key)
        .payload(body == null ? new byte[0] : body)
        .headers(headers)
        .attempt(queue.equals(headers.get(RETRY_QUEUE)) ? LanesHeaders.attempt(headers) : 1)
        .timestamp(timestamp == null ? Instant.now() : timestamp.toInstant())
        .origin(new Origin(queue, partition, -1))
        .build();
  }

  /** Header values as text: strings, numbers, booleans, timestamps; other types are left out. */
  static Map<String, String> text(Map<String, Object> raw) {
    Map<String, String> out = new HashMap<>(raw.size() * 2);
    raw.forEach(
        (name, value) -> {
          String text = scalar(value);
          if (text != null) {
            out.put(name, text);
          }
        });
    return out;
  }

  private static String scalar(Object value) {
    if (value instanceof LongString s) {
      return s.toString();
    }
    if (value instanceof String
        || value instanceof Number
        || value instanceof Boolean
        || value instanceof Character) {
      return value.toString();
    }
    if (value instanceof Date d) {
      return d.toInstant().toString();
    }
    if (value instanceof byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
    return null; // tables, arrays, null
  }

  /** Properties of a message published by {@link AmqpPublisher}: id, timestamp, headers, key. */
  static AMQP.BasicProperties forPublish(Message message, boolean durable) {
    Map<String, Object> headers = new HashMap<>(message.headers());
    if (message.key() != null) {
      headers.put(KEY, message.key());
    }
    return new AMQP.BasicProperties.Builder()
        .messageId(message.id())
        .timestamp(Date.from(message.timestamp()))
        .deliveryMode(durable ? PERSISTENT : TRANSIENT)
        .headers(headers)
        .build();
  }

  /**
   * Properties of the copy sent for a broker-side retry: the original's properties and headers,
   * with {@link LanesHeaders#ATTEMPT} = {@code attempt}, {@value #RETRY_QUEUE} = {@code queue} and
   * the key kept in {@value #KEY}.
   *
   * @param attempt the attempt the copy is delivered as
   * @param queue the queue the copy returns to
   * @param perMessageTtl the expiration to set, or {@code null} when the delay queue's TTL applies
   */
  static AMQP.BasicProperties forRetry(
      AMQP.BasicProperties original,
      Message message,
      int attempt,
      String queue,
      Duration perMessageTtl,
      boolean durable) {
    Map<String, Object> headers = carriedHeaders(original, message);
    headers.putAll(LanesHeaders.retry(message, attempt));
    headers.put(LanesHeaders.ATTEMPT, attempt); // a number in AMQP's typed headers
    headers.put(RETRY_QUEUE, queue);
    return copy(original, message, headers, durable)
        .expiration(perMessageTtl == null ? null : Long.toString(perMessageTtl.toMillis()))
        .build();
  }

  /**
   * Properties of a dead letter: the original's properties and headers plus the reason, the number
   * of attempts made and the first origin, by {@link LanesHeaders#deadLetter}.
   */
  static AMQP.BasicProperties forDeadLetter(
      AMQP.BasicProperties original,
      Message message,
      String reason,
      int attempts,
      boolean durable) {
    Map<String, Object> headers = carriedHeaders(original, message);
    headers.remove(RETRY_QUEUE);
    headers.putAll(LanesHeaders.deadLetter(message, reason, attempts));
    headers.put(LanesHeaders.ATTEMPT, attempts); // a number in AMQP's typed headers
    return copy(original, message, headers, durable).expiration(null).build();
  }

  /**
   * The original headers without the broker's dead-lettering bookkeeping (a copy starts a new life;
   * {@code x-death} would only grow and could make RabbitMQ see a dead-letter cycle). The key
   * header is kept exactly as the producer typed it (a partitioned task's exchange hashes its type
   * too, so the copy returns to the original's partition); a message without one gets the key as
   * text.
   */
  private static Map<String, Object> carriedHeaders(
      AMQP.BasicProperties original, Message message) {
    Map<String, Object> headers =
        original.getHeaders() == null ? new HashMap<>() : new HashMap<>(original.getHeaders());
    headers
        .keySet()
        .removeIf(
            name ->
                name.startsWith("x-death")
                    || name.startsWith("x-first-death")
                    || name.startsWith("x-last-death"));
    if (message.key() != null) {
      headers.putIfAbsent(KEY, message.key());
    }
    return headers;
  }

  /** The original's properties; user-id is dropped (the broker checks it against the login). */
  private static AMQP.BasicProperties.Builder copy(
      AMQP.BasicProperties original,
      Message message,
      Map<String, Object> headers,
      boolean durable) {
    return new AMQP.BasicProperties.Builder()
        .contentType(original.getContentType())
        .contentEncoding(original.getContentEncoding())
        .headers(headers)
        .deliveryMode(durable ? PERSISTENT : TRANSIENT)
        .priority(original.getPriority())
        .correlationId(original.getCorrelationId())
        .replyTo(original.getReplyTo())
        .messageId(message.id())
        .timestamp(
            original.getTimestamp() != null
                ? original.getTimestamp()
                : Date.from(message.timestamp()))
        .type(original.getType())
        .appId(original.getAppId());
  }
}
