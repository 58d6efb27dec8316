package dev.lanes.api;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One message as a handler sees it, whatever broker it came from. Immutable.
 *
 * <p>The payload array is shared, not copied, to keep the hot path free of copies: never modify it.
 */
public final class Message {

  private final String id;
  private final String key;
  private final byte[] payload;
  private final Map<String, String> headers;
  private final int attempt;
  private final Instant timestamp;
  private final Origin origin;

  private Message(Builder b) {
    this.id = b.id != null ? b.id : UUID.randomUUID().toString();
    this.key = b.key;
    this.payload = b.payload;
    this.headers = Map.copyOf(b.headers);
    if (b.attempt < 1) {
      throw new IllegalArgumentException("attempt starts at 1, was " + b.attempt);
    }
    this.attempt = b.attempt;
    this.timestamp = b.timestamp != null ? b.timestamp : Instant.now();
    this.origin = b.origin;
  }

  /**
   * A builder with a random id, attempt 1, timestamp now, no headers and origin {@code "unknown"}.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder pre-filled with this message's fields. */
  public Builder toBuilder() {
    return new Builder()
        .id(id)
        .key(key)
        .payload(payload)
        .headers(headers)
        .attempt(attempt)
        .timestamp(timestamp)
        .origin(origin);
  }

  /** A copy of this message for its next attempt. */
  public Message withAttempt(int nextAttempt) {
    return toBuilder().attempt(nextAttempt).build();
  }

  /**
   * Broker-assigned or generated id; unique per message, stable across redeliveries where the
   * broker allows.
   */
  public String id() {
    return id;
  }

  /** The broker's message key (Kafka record key, AMQP routing key...), or {@code null}. */
  public String key() {
    return key;
  }

  /** The raw payload; do not modify. */
  public byte[] payload() {
    return payload;
  }

  /** The payload decoded as UTF-8. */
  public String payloadAsString() {
    return new String(payload, StandardCharsets.UTF_8);
  }

  /** Broker headers / properties as strings; never {@code null}, unmodifiable. */
  public Map<String, String> headers() {
    return headers;
  }

  /** One header, if present. */
  public Optional<String> header(String name) {
    return Optional.ofNullable(headers.get(name));
  }

  /** 1 on first delivery, incremented on every retry. */
  public int attempt() {
    return attempt;
  }

  /** When the message was produced, as known to the broker, else when it was received. */
  public Instant timestamp() {
    return timestamp;
  }

  /** Where on the broker the message came from. */
  public Origin origin() {
    return origin;
  }

  /**
   * A scalar field of a JSON payload, by dotted path, looked up at the top level and then under
   * {@code data} (so {@code "order_id"} finds {@code {"data":{"order_id":35432}}}). Parses only as
   * much of the payload as needed.
   *
   * @return a {@code Long} for integers, a {@code String} for strings, a {@code Double} for other
   *     numbers, a {@code Boolean}; empty when the field is absent, {@code null}, not a scalar, or
   *     the payload is not JSON
   */
  public Optional<Object> field(String dottedPath) {
    return JsonFieldLookup.find(payload, dottedPath);
  }

  @Override
  public String toString() {
    // no payload here: payloads stay out of logs
    return "Message{id="
        + id
        + ", key="
        + key
        + ", attempt="
        + attempt
        + ", origin="
        + origin
        + ", bytes="
        + payload.length
        + "}";
  }

  /**
   * Builds a {@link Message}; not thread-safe. A timestamp left unset is taken when {@link
   * #build()} runs; {@code null} is refused by every setter but {@link #id} and {@link #key}.
   */
  public static final class Builder {
    // shared defaults, so that a builder whose fields are all set allocates nothing it throws away
    private static final byte[] NO_PAYLOAD = new byte[0];
    private static final Origin UNKNOWN = Origin.of("unknown");

    private String id;
    private String key;
    private byte[] payload = NO_PAYLOAD;
    private Map<String, String> headers = Map.of();
    private int attempt = 1;
    private Instant timestamp; // null: now, when built
    private Origin origin = UNKNOWN;

    private Builder() {}

    public Builder id(String id) {
      this.id = id;
      return this;
    }

    public Builder key(String key) {
      this.key = key;
      return this;
    }

    public Builder payload(byte[] payload) {
      this.payload = Objects.requireNonNull(payload, "payload");
      return this;
    }

    public Builder payload(String utf8) {
      this.payload = utf8.getBytes(StandardCharsets.UTF_8);
      return this;
    }

    public Builder headers(Map<String, String> headers) {
      this.headers = Objects.requireNonNull(headers, "headers");
      return this;
    }

    public Builder attempt(int attempt) {
      this.attempt = attempt;
      return this;
    }

    public Builder timestamp(Instant timestamp) {
      this.timestamp = Objects.requireNonNull(timestamp, "timestamp");
      return this;
    }

    public Builder origin(Origin origin) {
      this.origin = Objects.requireNonNull(origin, "origin");
      return this;
    }

    public Message build() {
      return new Message(this);
    }
  }
}
