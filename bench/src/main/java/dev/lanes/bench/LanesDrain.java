package dev.lanes.bench;

import dev.lanes.api.Outcome;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.runtime.TaskRuntime;
import dev.lanes.runtime.Transports;
import dev.lanes.spi.TaskConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.Map;

/**
 * Lanes draining a backlog with a handler that only counts the record and acks: a task built in
 * code from the transport's settings, {@code consumerNum} lanes, {@code deliverBy = key}, the
 * transport found by {@link java.util.ServiceLoader}, as an embedding application would.
 */
final class LanesDrain implements AutoCloseable {

  private final TaskRuntime runtime;

  /**
   * @param transport the transport's name
   * @param settings the task's transport settings, e.g. {@code kafka.topic}
   */
  LanesDrain(String transport, Map<String, Object> settings, int lanes, DrainTally tally) {
    Map<String, Object> task = new HashMap<>(settings);
    task.put("transport", transport);
    task.put("consumerNum", lanes);
    task.put("deliverBy", "key");
    TaskConfig config = TaskConfigLoader.forTask("bench_drain_" + transport, task);
    runtime =
        TaskRuntime.create(
            config,
            Transports.load(transport),
            message -> {
              tally.handled(message.payload());
              return Outcome.ack();
            },
            new SimpleMeterRegistry());
    runtime.start();
  }

  @Override
  public void close() {
    runtime.stop();
  }
}
