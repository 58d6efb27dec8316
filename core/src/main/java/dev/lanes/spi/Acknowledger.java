package dev.lanes.spi;

import java.time.Duration;

/**
 * Settles one {@link Delivery} on its broker. Exactly one of {@link #ack()}, {@link #retry} or
 * {@link #reject} is called, once, from any thread (usually a lane thread); {@link #touch()} may be
 * called any number of times before that. Implementations are thread-safe and must not block long:
 * batch and confirm in the background where the broker allows (but see {@link Source#flush()}).
 *
 * <p>A settle method may throw when it cannot do its job (e.g. a full publish buffer during an
 * outage); the delivery must then stay unsettled, so the broker redelivers it. The dispatcher logs
 * and counts that and moves on.
 */
public interface Acknowledger {

  /** The message was handled: the broker may forget it (basicAck, FIN, offset completed). */
  void ack();

  /**
   * Hand the message back to the broker for another attempt, not before {@code delay} (AMQP delay
   * queue, NSQ REQ, Kafka retry topic...), redelivered with {@link dev.lanes.api.Message#attempt()}
   * = {@code attempt}: the delivered attempt plus the failed ones the dispatcher held in process. A
   * broker that counts deliveries itself and cannot carry a count (NSQ) says so in its docs. Used
   * for delays too long to hold in process; see the transport's docs for how it holds the message
   * and what ordering it keeps.
   */
  void retry(Duration delay, int attempt);

  /**
   * Send the message to the dead letter destination with {@code reason}, {@code attempts} (how
   * often it was tried, in process included) and the original coordinates in headers (see {@link
   * LanesHeaders}), then settle the original.
   */
  void reject(String reason, int attempts);

  /**
   * A graceful stop in {@link StopMode#FINISH_RUNNING} hands this delivery back without handling
   * it: no attempt is counted, and no other settle method follows. Called at most once, from any
   * thread, while the subscription is still open and other deliveries of the same key may still be
   * running in this process.
   *
   * <p>The default leaves the delivery unsettled, so it goes back to the broker when the source is
   * {@link Source#close() closed}, after the running calls have finished: Kafka reads it again from
   * the committed offset, RabbitMQ puts it back at its original place in the queue, the local queue
   * gives its row back with its old due time. That is what keeps per-key order: handing a message
   * back at once (a requeue) would let another consumer start it while an earlier message of its
   * key still runs here. Override only where the broker would otherwise keep the message from
   * everyone until a timeout, and say in the transport's docs what ordering the release keeps.
   */
  default void release() {}

  /** Tell the broker the message is still being worked on (NSQ TOUCH); no-op where not needed. */
  default void touch() {}

  /**
   * Whether the broker has already taken this delivery back (channel closed, partition revoked):
   * the dispatcher then skips it without calling the handler, and settling it is a no-op.
   */
  default boolean isStale() {
    return false;
  }
}
