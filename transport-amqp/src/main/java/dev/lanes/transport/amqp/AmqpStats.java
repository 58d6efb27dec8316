package dev.lanes.transport.amqp;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one AMQP source: {@link AmqpMeters} puts them in {@code /metrics}; the two with a
 * meaning every broker shares (resubscribes, returned on channel loss) are read through {@link
 * AmqpSource#reconnects()} and {@link AmqpSource#redeliveries()} for the runtime's {@link
 * dev.lanes.spi.TransportMeters}. Thread-safe.
 */
final class AmqpStats {
  /** Deliveries handed to the dispatcher. */
  final LongAdder delivered = new LongAdder();

  /** Deliveries that arrived after stopReceiving and were left unacked for redelivery. */
  final LongAdder afterStop = new LongAdder();

  /** basic.ack frames with multiple=true. */
  final LongAdder multipleAcks = new LongAdder();

  /** basic.ack frames for single tags (stop, or finished deliveries above a gap). */
  final LongAdder singleAcks = new LongAdder();

  /** Times the consume channel was lost without our asking (connection or channel error). */
  final LongAdder channelLosses = new LongAdder();

  /** Times consumption was resumed on a recovered or reopened channel. */
  final LongAdder resubscribes = new LongAdder();

  /** Unacked deliveries of lost channels: the broker redelivers them. */
  final LongAdder returnedOnChannelLoss = new LongAdder();

  /** ack/retry/reject calls on deliveries of a lost channel, ignored (the broker redelivers). */
  final LongAdder staleSettles = new LongAdder();

  /** Retry copies confirmed by the broker. */
  final LongAdder retriesPublished = new LongAdder();

  /** Dead letters confirmed by the broker. */
  final LongAdder deadLettersPublished = new LongAdder();

  /** Retries/dead letters refused because the publish buffer was full. */
  final LongAdder overflows = new LongAdder();

  /** Retries/dead letters the broker returned as unroutable. */
  final LongAdder unroutable = new LongAdder();

  /** Copies confirmed after their original's channel was lost: the original comes back too. */
  final LongAdder duplicates = new LongAdder();

  /** Deliveries kept unacked because their copy could not be published. */
  final LongAdder held = new LongAdder();

  /** Held deliveries handed back to the queue (basic.nack requeue). */
  final LongAdder requeued = new LongAdder();

  @Override
  public String toString() {
    return "delivered="
        + delivered
        + ", multipleAcks="
        + multipleAcks
        + ", singleAcks="
        + singleAcks
        + ", channelLosses="
        + channelLosses
        + ", resubscribes="
        + resubscribes
        + ", returnedOnChannelLoss="
        + returnedOnChannelLoss
        + ", staleSettles="
        + staleSettles
        + ", retriesPublished="
        + retriesPublished
        + ", deadLettersPublished="
        + deadLettersPublished
        + ", overflows="
        + overflows
        + ", unroutable="
        + unroutable
        + ", duplicates="
        + duplicates
        + ", held="
        + held
        + ", requeued="
        + requeued
        + ", afterStop="
        + afterStop;
  }
}
