package dev.lanes.runtime;

import com.typesafe.config.Config;
import dev.lanes.api.HandlerContext;
import dev.lanes.dispatch.Dispatcher;
import dev.lanes.spi.TaskConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;

/** The {@link HandlerContext} of a running task. */
final class LaneHandlerContext implements HandlerContext {

  private final TaskConfig task;
  private final MeterRegistry registry;
  private final Supplier<Dispatcher> dispatcher;

  LaneHandlerContext(TaskConfig task, MeterRegistry registry, Supplier<Dispatcher> dispatcher) {
    this.task = task;
    this.registry = registry;
    this.dispatcher = dispatcher;
  }

  @Override
  public String taskName() {
    return task.name();
  }

  @Override
  public int laneCount() {
    Dispatcher d = dispatcher.get();
    return d == null ? task.consumerNum() : d.laneCount();
  }

  @Override
  public int currentLane() {
    Dispatcher d = dispatcher.get();
    return d == null ? -1 : d.currentLane();
  }

  @Override
  public Config config() {
    return task.config();
  }

  @Override
  public MeterRegistry meterRegistry() {
    return registry;
  }
}
