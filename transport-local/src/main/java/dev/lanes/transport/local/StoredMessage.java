package dev.lanes.transport.local;

import dev.lanes.api.Message;
import dev.lanes.api.Origin;
import java.time.Instant;
import java.util.Map;

/**
 * One row claimed from the store.
 *
 * @param id the row id: the message id, unique for the store's life (never reused)
 * @param queue the queue it was claimed from
 * @param key the message key, or {@code null}
 * @param payload the payload
 * @param headers the headers
 * @param attempt 1 on first delivery; a retry stores the attempt it comes back as
 * @param createdAt when it was published, epoch milliseconds
 * @param claim the claim number this consumer holds; every claim of the row increments it, so a
 *     settlement naming an older claim finds the row taken back and changes nothing
 */
record StoredMessage(
    long id,
    String queue,
    String key,
    byte[] payload,
    Map<String, String> headers,
    int attempt,
    long createdAt,
    long claim) {

  /** This row as attempt {@code n}: what a retry stores, or a dead letter reports as attempts. */
  StoredMessage withAttempt(int n) {
    return new StoredMessage(id, queue, key, payload, headers, n, createdAt, claim);
  }

  /** The message a handler sees. */
  Message toMessage() {
    return Message.builder()
        .id(Long.toString(id))
        .key(key)
        .payload(payload)
        .headers(headers)
        .attempt(attempt)
        .timestamp(Instant.ofEpochMilli(createdAt))
        .origin(new Origin(queue, -1, id))
        .build();
  }
}
