package dev.lanes.transport.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * The Kafka clients' own metrics ({@code kafka.consumer.*}, {@code kafka.producer.*}) on a task's
 * meters, through Micrometer's {@link KafkaClientMetrics}, while {@code kafka.clientMetrics} is on.
 * {@link #close()} unbinds them all (their meters go away with the task's). Thread-safe.
 */
final class ClientMetrics implements AutoCloseable {

  private final MeterRegistry registry;
  private final boolean enabled;
  private final List<KafkaClientMetrics> bound = new CopyOnWriteArrayList<>();

  ClientMetrics(MeterRegistry registry, boolean enabled) {
    this.registry = registry;
    this.enabled = enabled;
  }

  void bind(Consumer<?, ?> consumer) {
    if (enabled) {
      bind(new KafkaClientMetrics(consumer));
    }
  }

  void bind(Producer<?, ?> producer) {
    if (enabled) {
      bind(new KafkaClientMetrics(producer));
    }
  }

  private void bind(KafkaClientMetrics metrics) {
    metrics.bindTo(registry);
    bound.add(metrics);
  }

  @Override
  public void close() {
    bound.forEach(KafkaClientMetrics::close);
    bound.clear();
  }
}
