package dev.lanes.transport.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Consumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One basic.consume of queue {@code index} of the task's queues (the work queue, or one partition
 * queue), in one channel epoch. Every delivery is recorded in the epoch; those of a live epoch go
 * on to the {@link Receiver}, those of a stale one stay with the broker, which redelivers them.
 * With partitions it also tells whether the broker made it its queue's single active consumer.
 *
 * <p>Callbacks run on the connection's one consumer thread.
 */
final class QueueConsumer implements Consumer {

  private static final Logger log = LoggerFactory.getLogger(QueueConsumer.class);

  /** Takes the deliveries of a live epoch (consumer thread; must not block for long). */
  @FunctionalInterface
  interface Receiver {
    void received(QueueConsumer from, Envelope envelope, AMQP.BasicProperties props, byte[] body);
  }

  /** Told when the broker cancelled a consumer (its queue was deleted). */
  @FunctionalInterface
  interface CancelListener {
    void cancelledByBroker(QueueConsumer consumer);
  }

  private final String task;
  private final DeliveryEpoch epoch;
  private final int index;
  private final String queue;
  private final boolean partitioned;
  private final Receiver receiver;
  private final CancelListener cancelListener;
  private volatile boolean delivering;

  QueueConsumer(
      String task,
      DeliveryEpoch epoch,
      int index,
      String queue,
      boolean partitioned,
      Receiver receiver,
      CancelListener cancelListener) {
    this.task = task;
    this.epoch = epoch;
    this.index = index;
    this.queue = queue;
    this.partitioned = partitioned;
    this.receiver = receiver;
    this.cancelListener = cancelListener;
  }

  DeliveryEpoch epoch() {
    return epoch;
  }

  int index() {
    return index;
  }

  String queue() {
    return queue;
  }

  /** Whether the broker made it its queue's active consumer, as far as this runner can tell. */
  boolean isActive() {
    return delivering && !epoch.isStale();
  }

  @Override
  public void handleDelivery(
      String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
    epoch.delivered(envelope.getDeliveryTag());
    if (epoch.isStale()) {
      return; // its channel is gone; the broker redelivers it
    }
    if (!delivering && partitioned) {
      // AMQP 0-9-1 does not tell a consumer that it became a queue's single active one; its first
      // delivery does
      delivering = true;
      log.info(
          "task {}: queue '{}' delivers to this runner now (its active consumer, epoch {})",
          task,
          queue,
          epoch.number());
    }
    receiver.received(this, envelope, props, body);
  }

  @Override
  public void handleCancel(String tag) {
    cancelListener.cancelledByBroker(this);
  }

  @Override
  public void handleConsumeOk(String tag) {}

  @Override
  public void handleCancelOk(String tag) {}

  @Override
  public void handleShutdownSignal(String tag, ShutdownSignalException sig) {}

  @Override
  public void handleRecoverOk(String tag) {}
}
