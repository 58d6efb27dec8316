package dev.lanes.runner.http;

import dev.lanes.runtime.TaskRuntime;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.Transport;

/**
 * The task a runner process runs, as HTTP routes see it. Each call returns what is current: a live
 * update or a pipeline restart replaces the runtime, and may replace config and transport.
 */
public interface RunningTask {

  TaskConfig config();

  Transport transport();

  TaskRuntime runtime();
}
