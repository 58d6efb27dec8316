package dev.lanes.transport.local;

import dev.lanes.api.Message;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.TransportContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Publishes to one queue of the local store. A publish returns once its transaction is committed
 * and synced to disk; several messages given together ({@link #publishBatch}) share one
 * transaction: all are stored or none. Only key, payload and headers of a {@link Message} are
 * stored; the store assigns the id (returned, and equal to {@link Message#id()} on delivery),
 * timestamp and attempt.
 *
 * <p>Delayed delivery: a message is not delivered before the moment given by its {@link
 * LocalHeaders#DELIVER_AT} or {@link LocalHeaders#DELAY} header (which are removed before storing),
 * or by the {@code deliverAt} argument of {@link #publish(Message, Instant)}. Consumers in this JVM
 * are woken at once by a publish; consumers in other processes notice it within their {@code
 * pollInterval}.
 *
 * <p>Thread-safe. Closing releases this publisher's hold on the store file.
 */
public final class LocalPublisher implements Publisher {

  private final LocalStore store;
  private final String queue;
  private volatile boolean closed;

  LocalPublisher(LocalStore store, String queue) {
    this.store = store;
    this.queue = queue;
  }

  /**
   * Opens the task's store now.
   *
   * @throws dev.lanes.api.ReadyFailedException when the data directory or store file cannot be used
   */
  static LocalPublisher open(TransportContext context, LocalSettings settings) {
    return new LocalPublisher(
        LocalStore.acquire(context.task(), settings.dataDir()), settings.queue());
  }

  /** The queue this publisher writes to. */
  public String queue() {
    return queue;
  }

  /**
   * Stores one message, scheduled by its headers.
   *
   * @throws IllegalArgumentException when a scheduling header is invalid; nothing is stored
   * @throws java.sql.SQLException when the store could not commit; nothing is stored
   */
  @Override
  public void publish(Message message) throws Exception {
    publishBatch(List.of(message));
  }

  /**
   * Stores one message that is not delivered before {@code deliverAt} (a moment in the past means
   * at once). Scheduling headers on the message are not allowed here.
   *
   * @return the stored id, the {@link Message#id()} it will be delivered with
   * @throws IllegalArgumentException when the message has a scheduling header; nothing is stored
   * @throws java.sql.SQLException when the store could not commit; nothing is stored
   */
  public String publish(Message message, Instant deliverAt) throws Exception {
    Map<String, String> headers = message.headers();
    if (headers.containsKey(LocalHeaders.DELIVER_AT) || headers.containsKey(LocalHeaders.DELAY)) {
      throw new IllegalArgumentException(
          "give deliverAt either as argument or as header '"
              + LocalHeaders.DELIVER_AT
              + "'/'"
              + LocalHeaders.DELAY
              + "', not both");
    }
    LocalStore.NewMessage row =
        new LocalStore.NewMessage(
            message.key(), headers, message.payload(), deliverAt.toEpochMilli());
    return Long.toString(insert(List.of(row)).get(0));
  }

  /**
   * Stores {@code messages} in one transaction, each scheduled by its own headers. All headers are
   * checked before anything is written: one invalid header stores none of them.
   *
   * @return the stored ids, in the order of {@code messages}
   * @throws IllegalArgumentException naming the message's position when a header is invalid
   * @throws java.sql.SQLException when the store could not commit; nothing is stored
   */
  @Override
  public List<String> publishBatch(List<Message> messages) throws Exception {
    long now = System.currentTimeMillis();
    List<LocalStore.NewMessage> rows = new ArrayList<>(messages.size());
    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      long dueAt;
      try {
        dueAt = DeliveryTime.dueAt(m.headers(), now);
      } catch (IllegalArgumentException e) {
        throw messages.size() == 1
            ? e
            : new IllegalArgumentException("message " + i + ": " + e.getMessage(), e);
      }
      rows.add(new LocalStore.NewMessage(m.key(), storedHeaders(m.headers()), m.payload(), dueAt));
    }
    List<Long> ids = insert(rows);
    List<String> result = new ArrayList<>(ids.size());
    ids.forEach(id -> result.add(Long.toString(id)));
    return result;
  }

  /** Same as {@link #publishBatch}: one transaction for all. */
  @Override
  public void publishAll(List<Message> messages) throws Exception {
    publishBatch(messages);
  }

  /** Idempotent. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      store.release();
    }
  }

  private List<Long> insert(List<LocalStore.NewMessage> rows) throws Exception {
    if (closed) {
      throw new IllegalStateException("publisher of local queue '" + queue + "' is closed");
    }
    return store.insert(queue, rows);
  }

  private static Map<String, String> storedHeaders(Map<String, String> headers) {
    if (!headers.containsKey(LocalHeaders.DELIVER_AT) && !headers.containsKey(LocalHeaders.DELAY)) {
      return headers;
    }
    Map<String, String> copy = new HashMap<>(headers);
    copy.remove(LocalHeaders.DELIVER_AT);
    copy.remove(LocalHeaders.DELAY);
    return copy;
  }
}
