package dev.lanes.dispatch;

import dev.lanes.api.Message;
import dev.lanes.spi.Delivery;
import java.util.ArrayDeque;

/**
 * One delivery on its way through a lane. After it is queued, only its lane's thread touches the
 * mutable fields.
 */
final class Envelope {

  /** Queued to make a lane finish its work and stop. */
  static final Envelope STOP = new Envelope(null, null);

  final Delivery delivery;

  /** The routing key, or {@code null}. */
  final Object key;

  /** The message of the current attempt; replaced when a retry is parked in process. */
  Message message;

  /** When a parked retry is due. */
  long dueNanos;

  /** Messages of the same key that arrived while this one was parked, oldest first. */
  ArrayDeque<Envelope> waiting;

  Envelope(Delivery delivery, Object key) {
    this.delivery = delivery;
    this.key = key;
    this.message = delivery == null ? null : delivery.message();
  }

  /** What a parked retry blocks: its key, or only itself when it has none. */
  Object parkKey() {
    return key != null ? key : this;
  }
}
