package dev.lanes.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.testing.Tasks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;

class TransportContextTest {

  private final TaskConfig task = Tasks.task("orders", Map.of());

  @Test
  void metersRegisteredOnTheContextCarryTheTasksTagsInTheRuntimesRegistry() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TransportContext context = TransportContext.of(task, registry, Tags.of("lanes.task", "orders"));

    context.meters().counter("lanes.amqp.returned").increment(2); // a broker's meter of its own

    Counter counter = registry.find("lanes.amqp.returned").tag("lanes.task", "orders").counter();
    assertThat(counter).isNotNull();
    assertThat(counter.count()).isEqualTo(2.0);
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
