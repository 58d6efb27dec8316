package dev.lanes.spi;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A subscription to one broker destination that pushes {@link Delivery deliveries} to a {@link
 * DeliverySink}. Created by {@link Transport#openSource}; used by exactly one dispatcher.
 *
 * <p>The shutdown protocol calls, in this order: {@link #stopReceiving()}, (lanes drain), {@link
 * #flush()}, {@link #close()}. Deliveries never settled by then are left to the broker, which
 * redelivers them: a source never acks on its own.
 *
 * <p>{@link #pause()} and {@link #resume()} are called from any thread (the source's own or a
 * lane's), one at a time and in the order the dispatcher decided them, while it holds its flow
 * lock: the last call says the state the source must converge to. They must return at once (set a
 * flag, wake a poll loop, hand the change to a thread of the source's own), never block on the
 * broker and never call the sink.
 */
public interface Source extends AutoCloseable {

  /**
   * Connects and starts delivering to {@code sink}; returns once the subscription is established.
   *
   * @throws dev.lanes.api.ReadyFailedException when the broker is unreachable or the destination
   *     cannot be subscribed; nothing has been consumed then
   */
  void start(DeliverySink sink);

  /**
   * Backpressure: stop fetching new messages soon (deliveries already fetched may still come).
   * Returns at once; see the class comment.
   */
  void pause();

  /** Undo {@link #pause()}. */
  void resume();

  /**
   * Step 1 of shutdown: cancel the subscription so no new deliveries reach the sink once this
   * returns. Settling deliveries already handed out keeps working. Idempotent.
   */
  void stopReceiving();

  /**
   * Step 2 of shutdown: settle everything buffered by the transport (batched acks, offset commits)
   * and wait for the broker to confirm, within the transport's own timeout.
   */
  default void flush() {}

  /**
   * Step 4 of shutdown: close connections. Unsettled deliveries return to the broker. Idempotent.
   */
  @Override
  void close();

  /** The queue/topic name for the {@code messaging.destination.name} metric tag. */
  String destinationName();

  /** The consumer group / channel, where the broker has one, for metrics and status. */
  default Optional<String> consumerGroup() {
    return Optional.empty();
  }

  /**
   * How often the dispatcher must {@link Acknowledger#touch()} deliveries it still holds (running
   * or waiting to retry) so the broker does not redeliver them; {@code null} when never needed.
   */
  default Duration touchInterval() {
    return null;
  }

  /**
   * Messages waiting on the broker for this subscription (queue depth, consumer lag, channel
   * depth), when known. May do I/O; called from a metrics thread, not the hot path.
   */
  default OptionalLong backlog() {
    return OptionalLong.empty();
  }

  /**
   * The partitions of the destination this source owns right now (Kafka partitions assigned to it,
   * partition queues it is the active consumer of), by name, for {@code status} and the {@code
   * lanes.source.partitions.owned} gauge: owning a partition means every message of its keys comes
   * to this source and to no other. Empty when the destination has no partitions to own (one queue
   * that consumers share, a local queue); whether it is empty must not change over the source's
   * life. Called from any thread, at any time (before start and after close too); must return at
   * once, without I/O.
   *
   * @return an immutable set; empty inside when the source owns none at the moment
   */
  default Optional<Set<String>> ownedPartitions() {
    return Optional.empty();
  }

  /**
   * Times this source had its broker again after losing it (reconnected, resubscribed), read for
   * the shared counter {@code lanes.transport.reconnects}, which the runtime registers when this is
   * present. Empty where there is no connection to lose (an embedded store); whether it is empty
   * must not change over the source's life. Called from any thread at any time; must return at
   * once, without I/O.
   */
  default OptionalLong reconnects() {
    return OptionalLong.empty();
  }

  /**
   * Deliveries the broker hands out again because this source lost them (connection or channel
   * lost, partition revoked, lease ran out), not because a handler asked, read for the shared
   * counter {@code lanes.transport.redeliveries}, which the runtime registers when this is present.
   * Empty where deliveries cannot be lost that way; same rules as {@link #reconnects()}.
   */
  default OptionalLong redeliveries() {
    return OptionalLong.empty();
  }

  /** Whether the source is connected and consuming; drives the readiness probe. */
  default boolean isConnected() {
    return true;
  }
}
