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

  /**
   * Publishes several messages in order and returns, in the same order, the id each will be
   * delivered with where the transport assigns ids on publish (the local queue's row ids), else the
   * messages' own ids. Transports that can store a batch atomically (the local queue) store all or
   * nothing.
   */
  default List<String> publishBatch(List<Message> messages) throws Exception {
    publishAll(messages);
    return messages.stream().map(Message::id).toList();
  }

  @Override
  void close();
}
