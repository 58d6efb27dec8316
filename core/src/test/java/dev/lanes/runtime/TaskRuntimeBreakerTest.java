package dev.lanes.runtime;

import static dev.lanes.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.api.Message;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.conformance.RecordingHandler;
import dev.lanes.memory.MemoryTransport;
import dev.lanes.metrics.TaskMetrics;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.TaskConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A task whose handler's downstream is down, with the circuit breaker on. */
class TaskRuntimeBreakerTest {

  private final String queue = "breaker-" + UUID.randomUUID();
  private final MemoryTransport transport = new MemoryTransport();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private TaskConfig config(int lanes) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("memory.queue", queue);
    settings.put("consumerNum", lanes);
    settings.put("deliverBy", "order_id");
    settings.put("retry.initialDelay", "20ms");
    settings.put("retry.jitter", 0);
    settings.put("retry.maxAttempts", 10);
    settings.put("breaker.enabled", true);
    settings.put("breaker.minimumCalls", 3);
    settings.put("breaker.openFor", "1m");
    return TaskConfigLoader.forTask("breaker", settings);
  }

  private void publish(int messages) throws Exception {
    try (Publisher publisher = transport.openPublisher(config(2))) {
      for (int i = 0; i < messages; i++) {
        publisher.publish(Message.builder().payload("{\"order_id\":" + i + "}").build());
      }
    }
  }

  private double breakerGauge() {
    Gauge gauge = registry.find(TaskMetrics.BREAKER_STATE).tag("lanes.task", "breaker").gauge();
    return gauge == null ? Double.NaN : gauge.value();
  }

  @Test
  void whileOpenAnUpdateAsksForARestartAndAStopLeavesEveryMessageForRedelivery() throws Exception {
    TaskRuntime down =
        TaskRuntime.create(
            config(2),
            transport,
            new RecordingHandler(
                m -> {
                  throw new IllegalStateException("downstream down");
                }),
            registry);
    down.start();
    publish(6);
    eventually().until(() -> breakerGauge() == 1.0);

    assertThat(down.update(config(4)))
        .as("lanes the breaker holds back cannot drain for a re-shard")
        .isEqualTo(TaskRuntime.UpdateResult.RESTART_REQUIRED);
    assertThat(down.laneDepths()).hasSize(2);
    StopReport report = down.stop();
    assertThat(report.abandoned()).as("left unsettled").isEqualTo(6);
    assertThat(down.stats().rejected()).as("dead-lettered").isZero();

    RecordingHandler healthy = RecordingHandler.acking();
    TaskRuntime up = TaskRuntime.create(config(2), transport, healthy, new SimpleMeterRegistry());
    up.start();
    try {
      eventually().atMost(Duration.ofSeconds(10)).until(() -> healthy.acked().size() == 6);
      List<Object> ids =
          healthy.acked().stream().map(c -> c.message().field("order_id").orElseThrow()).toList();
      assertThat(ids).containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L, 5L);
    } finally {
      up.stop();
    }
  }
}
