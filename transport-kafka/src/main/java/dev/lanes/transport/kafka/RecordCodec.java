package dev.lanes.transport.kafka;

import dev.lanes.api.Message;
import dev.lanes.api.Origin;
import dev.lanes.spi.LanesHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Converts between Kafka records and {@link Message}s: key and header values as UTF-8, the payload
 * as is, the id {@code <topic>-<partition>@<offset>} of the record first consumed. Stateless.
 */
final class RecordCodec {

  /** Epoch milliseconds at which a retry record is due; only on records of a retry topic. */
  static final String RETRY_DUE = "lanes-retry-due";

  /**
   * The task topic a retry record belongs to (the topic it was first consumed from by this task),
   * which names its next retry and dead-letter topics; only on records of a retry topic.
   */
  static final String TASK_TOPIC = "lanes-task-topic";

  private static final byte[] EMPTY = new byte[0];

  private RecordCodec() {}

  /**
   * The message of a consumed record.
   *
   * @param fromRetryTopic whether the record comes from a retry topic: only then are its {@link
   *     LanesHeaders#ATTEMPT} and {@link LanesHeaders#ORIGINAL_ID} headers taken as the message's
   *     attempt and id (on any other topic they are just headers, e.g. on a dead letter)
   */
  static Message toMessage(ConsumerRecord<byte[], byte[]> record, boolean fromRetryTopic) {
    Map<String, String> headers = headers(record);
    int attempt = 1;
    String id = null;
    if (fromRetryTopic) {
      attempt = LanesHeaders.attempt(headers);
      id = headers.get(LanesHeaders.ORIGINAL_ID);
    }
    if (id == null) {
      id = record.topic() + "-" + record.partition() + "@" + record.offset();
    }
    return Message.builder()
        .id(id)
        .key(record.key() == null ? null : utf8(record.key()))
        .payload(record.value() == null ? EMPTY : record.value())
        .headers(headers)
        .attempt(attempt)
        .timestamp(
            record.timestamp() >= 0 ? Instant.ofEpochMilli(record.timestamp()) : Instant.now())
        .origin(new Origin(record.topic(), record.partition(), record.offset()))
        .build();
  }

  /** The record's headers as UTF-8 text, the last of a repeated name winning; no map when none. */
  private static Map<String, String> headers(ConsumerRecord<byte[], byte[]> record) {
    Header[] all = record.headers().toArray(); // a shared empty array when there are none
    if (all.length == 0) {
      return Map.of();
    }
    Map<String, String> headers = new HashMap<>(all.length * 2);
    for (Header header : all) {
      headers.put(header.key(), header.value() == null ? "" : utf8(header.value()));
    }
    return headers;
  }

  /** The {@link #TASK_TOPIC} of a retry record, or {@code null}. */
  static String taskTopic(ConsumerRecord<byte[], byte[]> record) {
    Header header = record.headers().lastHeader(TASK_TOPIC);
    return header == null || header.value() == null ? null : utf8(header.value());
  }

  /** When a retry record is due (epoch millis), or 0 (due now) without a readable header. */
  static long dueMillis(ConsumerRecord<byte[], byte[]> record) {
    Header due = record.headers().lastHeader(RETRY_DUE);
    if (due == null || due.value() == null) {
      return 0;
    }
    try {
      return Long.parseLong(utf8(due.value()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** A record carrying {@code message}'s key, payload and headers (UTF-8) to {@code topic}. */
  static ProducerRecord<byte[], byte[]> toRecord(String topic, Message message) {
    RecordHeaders recordHeaders = new RecordHeaders();
    message
        .headers()
        .forEach((name, value) -> recordHeaders.add(name, value.getBytes(StandardCharsets.UTF_8)));
    byte[] key = message.key() == null ? null : message.key().getBytes(StandardCharsets.UTF_8);
    return new ProducerRecord<>(topic, null, null, key, message.payload(), recordHeaders);
  }

  /**
   * A copy of a consumed record for {@code topic} (its retry or dead-letter topic): the record's
   * own key, value and headers, byte for byte, except the headers named in {@code drop} or {@code
   * set}, plus {@code set} as UTF-8.
   */
  static ProducerRecord<byte[], byte[]> copyOf(
      ConsumerRecord<byte[], byte[]> record,
      String topic,
      Map<String, String> set,
      Set<String> drop) {
    RecordHeaders headers = new RecordHeaders();
    for (Header header : record.headers()) {
      if (!set.containsKey(header.key()) && !drop.contains(header.key())) {
        headers.add(header);
      }
    }
    set.forEach((name, value) -> headers.add(name, value.getBytes(StandardCharsets.UTF_8)));
    return new ProducerRecord<>(topic, null, null, record.key(), record.value(), headers);
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
