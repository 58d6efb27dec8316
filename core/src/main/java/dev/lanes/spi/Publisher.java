package dev.lanes.spi;

import dev.lanes.api.Message;
import java.util.List;

/**
 * Publishes messages to a task's destination. Only key, payload and headers of a {@link Message}
 * are sent; the broker assigns the rest. Thread-safe.
 */
public interface Publisher extends AutoCloseable {

  /**
   * Publishes one message and returns once the broker confirmed it.
   *
   * @throws Exception when the broker did not confirm; the message may or may not have been sent
   */
  void publish(Message message) throws Exception;

  /** Publishes several messages in order; returns once all are confirmed. */
  default void publishAll(List<Message> messages) throws Exception {
    for (Message message : messages) {
      publish(message);
    }
  }

  @Override
  void close();
}
