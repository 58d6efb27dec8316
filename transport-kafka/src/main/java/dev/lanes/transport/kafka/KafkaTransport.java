package dev.lanes.transport.kafka;

import dev.lanes.spi.BrokerTransport;
import dev.lanes.spi.StopMode;

/**
 * The {@code kafka} transport: a consumer-group subscription per task on {@code
 * org.apache.kafka:kafka-clients}, committed offsets for acks, a retry topic for long retries and a
 * dead-letter topic for rejects. Stateless and thread-safe; found by {@link
 * java.util.ServiceLoader}.
 *
 * <p>Default stop mode {@code finish-running}: a record a stop releases is simply not committed, so
 * the group reads it again, in partition order, from the committed offset.
 */
public final class KafkaTransport extends BrokerTransport<KafkaSettings> {

  public KafkaTransport() {
    super(
        "kafka",
        "kafka",
        StopMode.FINISH_RUNNING,
        KafkaSettings::read,
        KafkaSource::new,
        KafkaPublisher::open);
  }
}
