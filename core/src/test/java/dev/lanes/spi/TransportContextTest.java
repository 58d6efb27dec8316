package dev.lanes.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.testing.Tasks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class TransportContextTest {

  private final TaskConfig task = Tasks.task("orders", Map.of());

  @Test
  void metersRegisteredOnTheContextCarryTheTasksTagsInTheRuntimesRegistry() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TransportContext context = TransportContext.of(task, registry, Tags.of("lanes.task", "orders"));

    context.meters().counter(TransportMeters.RECONNECTS).increment(2);

    Counter counter =
        registry.find(TransportMeters.RECONNECTS).tag("lanes.task", "orders").counter();
    assertThat(counter).isNotNull();
    assertThat(counter.count()).isEqualTo(2.0);
  }

  @Test
  void theSharedCountersReadTheTransportsCountsWithTheTasksTags() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TransportContext context = TransportContext.of(task, registry, Tags.of("lanes.task", "orders"));
    LongAdder redeliveries = new LongAdder();
    long[] reconnects = {0};

    context.countRedeliveries(redeliveries, LongAdder::sum);
    context.countReconnects(reconnects, r -> r[0]);
    redeliveries.add(3);
    reconnects[0] = 2;

    FunctionCounter redelivered = counter(registry, TransportMeters.REDELIVERIES);
    FunctionCounter reconnected = counter(registry, TransportMeters.RECONNECTS);
    assertThat(redelivered.count()).isEqualTo(3.0);
    assertThat(redelivered.getId().getDescription()).contains("hands out again");
    assertThat(reconnected.count()).isEqualTo(2.0);
    assertThat(reconnected.getId().getDescription()).contains("reconnected");
  }

  @Test
  void aTransportWithoutAConnectionRegistersOnlyItsRedeliveries() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TransportContext context = TransportContext.of(task, registry, Tags.of("lanes.task", "orders"));
    LongAdder redeliveries = new LongAdder();

    context.countRedeliveries(redeliveries, LongAdder::sum);

    assertThat(counter(registry, TransportMeters.REDELIVERIES).count()).isZero();
    assertThat(registry.find(TransportMeters.RECONNECTS).meter()).isNull();
  }

  private static FunctionCounter counter(SimpleMeterRegistry registry, String name) {
    FunctionCounter counter = registry.find(name).tag("lanes.task", "orders").functionCounter();
    assertThat(counter).as(name).isNotNull();
    return counter;
  }

  @Test
  void threadsAreNamedAfterTaskAndRole() {
    ThreadFactory threads = TransportContext.of(task).threads("poll", true);
    Thread first = threads.newThread(() -> {});
    Thread second = threads.newThread(() -> {});
    assertThat(first.getName()).isEqualTo("lanes-orders-poll");
    assertThat(second.getName()).isEqualTo("lanes-orders-poll-2");
    assertThat(first.isDaemon()).isTrue();
  }
}
