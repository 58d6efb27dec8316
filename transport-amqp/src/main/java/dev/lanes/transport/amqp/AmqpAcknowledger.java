package dev.lanes.transport.amqp;

import com.rabbitmq.client.AMQP;
import dev.lanes.api.Message;
import dev.lanes.spi.SettleOnceAcknowledger;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles one delivery of {@code queue} (the work queue or one of its partition queues) on its
 * channel epoch:
 *
 * <ul>
 *   <li>{@link #ack()}: basic.ack, batched by the epoch;
 *   <li>{@link #retry}: a copy with attempt + 1 goes to the delay queue of the delay's tier, which
 *       dead-letters it back to the delivery's queue when its TTL expires; the original is acked
 *       once the broker confirmed the copy;
 *   <li>{@link #reject}: a copy with the reason headers goes to the dead-letter exchange; the
 *       original is acked once the broker confirmed it.
 * </ul>
 *
 * A copy that cannot be published (buffer full, or returned unroutable) leaves the original
 * unacked, held by the epoch and handed back to the queue later: nothing is lost. Once the
 * delivery's channel is gone ({@link #isStale()}), settling is a no-op: the broker redelivers it.
 * Thread-safe; settles once by {@link SettleOnceAcknowledger}'s rules.
 */
final class AmqpAcknowledger extends SettleOnceAcknowledger {

  private static final Logger log = LoggerFactory.getLogger(AmqpAcknowledger.class);

  private final AmqpSource source;
  private final DeliveryEpoch epoch;
  private final long tag;
  private final String queue;
  private final AMQP.BasicProperties props;

  AmqpAcknowledger(
      AmqpSource source,
      DeliveryEpoch epoch,
      long tag,
      String queue,
      Message message,
      AMQP.BasicProperties props) {
    super(source.task(), message);
    this.source = source;
    this.epoch = epoch;
    this.tag = tag;
    this.queue = queue;
    this.props = props;
  }

  @Override
  protected void onAck() {
    if (!epoch.ack(tag)) {
      stale("ack");
    }
  }

  @Override
  protected void onRetry(Duration delay, int attempt) {
    RetryQueues.Route route = source.retryQueues().route(delay, queue);
    AMQP.BasicProperties copy =
        AmqpMessages.forRetry(
            props,
            message(),
            attempt,
            source.settings().queue(),
            route.perMessageTtl(),
            source.settings().durable());
    publish("retry", "", route.queue(), copy, source.stats().retriesPublished::increment);
  }

  @Override
  protected void onReject(String reason, int attempts) {
    AmqpSettings settings = source.settings();
    AMQP.BasicProperties copy =
        AmqpMessages.forDeadLetter(props, message(), reason, attempts, settings.durable());
    publish(
        "dead-letter",
        settings.deadLetterExchange(),
        settings.queue(),
        copy,
        source.stats().deadLettersPublished::increment);
  }

  private void publish(
      String what, String exchange, String routingKey, AMQP.BasicProperties copy, Runnable count) {
    BufferedPublisher.Outgoing outgoing =
        new BufferedPublisher.Outgoing(
            exchange,
            routingKey,
            copy,
            message().payload(),
            () -> {
              count.run();
              if (!epoch.ack(tag)) {
                source.stats().duplicates.increment();
                log.info(
                    "task {}: {} of {} was published, but its delivery's channel closed before"
                        + " the ack: the broker redelivers the original too",
                    source.task(),
                    what,
                    message());
              }
            },
            () -> epoch.hold(tag));
    if (!source.publisher().offer(outgoing)) {
      epoch.hold(tag);
      source.releaseHeldIfPublisherIdle(); // the buffer may have drained meanwhile
      throw new IllegalStateException(
          "could not "
              + what
              + " "
              + message()
              + ": the publish buffer (amqp.publishBuffer) is full, the broker is slow or away;"
              + " the delivery stays unacked and is handled again later");
    }
  }

  /** Its channel closed: publishing a copy now would only duplicate the redelivery. */
  @Override
  protected void ignoredTakenBack(String what) {
    source.stats().staleSettles.increment();
  }

  /** The channel closed between the claim and the ack. */
  private void stale(String what) {
    source.stats().staleSettles.increment();
    log.debug(
        "task {}: {} of {} ignored: its channel closed, the broker redelivers it",
        source.task(),
        what,
        message());
  }

  @Override
  public boolean isStale() {
    return epoch.isStale();
  }
}
