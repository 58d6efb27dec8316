package dev.lanes.transport.nsq;

import dev.lanes.api.Message;
import dev.lanes.spi.LanesHeaders;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Publishes rejected messages to the dead-letter topic. NSQ has no dead letters of its own and no
 * headers, so the dead letter is an {@link Envelope} holding the original payload and key
 * unchanged, the original headers, and the {@link LanesHeaders} that say why and from where.
 * Thread-safe.
 */
final class DeadLetters {

  /** Header naming the channel that rejected the message (several channels share one topic). */
  static final String ORIGINAL_CHANNEL = "lanes-original-channel";

  private final NsqPublisher publisher;
  private final String channel;

  DeadLetters(NsqPublisher publisher, String channel) {
    this.publisher = publisher;
    this.channel = channel;
  }

  /**
   * Publishes the dead letter of {@code message}, tried {@code attempts} times; returns once nsqd
   * confirmed it.
   *
   * @throws RuntimeException when nsqd did not confirm
   */
  void publish(Message message, String reason, int attempts) {
    Map<String, String> headers = new LinkedHashMap<>(message.headers());
    headers.putAll(
        LanesHeaders.deadLetter(message, reason, attempts, Map.of(ORIGINAL_CHANNEL, channel)));
    publisher.publish(message.toBuilder().headers(headers).build());
  }

  String topic() {
    return publisher.topic();
  }
}
