package dev.lanes.transport.kafka;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one Kafka source, read for the shared transport meters ({@link
 * KafkaSource#reconnects()}, {@link KafkaSource#redeliveries()}). Thread-safe.
 */
final class KafkaStats {

  /**
   * Times one of the source's consumers (the task's topics', the retry topics') had a broker
   * connection again after losing its last one: once per outage and consumer.
   */
  final LongAdder reconnects = new LongAdder();

  /**
   * Records handed to the lanes and still unsettled when their partition was revoked (after {@code
   * revokeTimeout}) or lost: their offsets stay uncommitted and the partition's next owner consumes
   * them again. Records a lost partition had finished since the last commit are consumed again too
   * and are not counted; nor are retry records held back until due and never handed out.
   */
  final LongAdder redeliveries = new LongAdder();
}
