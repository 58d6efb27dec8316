package dev.lanes.runner.service;

import com.typesafe.config.Config;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.spi.TaskConfig;
import java.io.File;

/**
 * Where a task's config comes from: a task file, the task's name in it and an optional transport
 * override. {@link #load()} reads the file afresh each time (start and every update).
 */
public record TaskSource(File file, String task, String transportOverride) {

  /** A task's config and the runner's keys of it, read together. */
  public record Loaded(TaskConfig task, RunnerSettings settings) {}

  /** @throws ReadyFailedException naming file, key and expectation when anything is invalid */
  public Loaded load() {
    Config parsed = TaskConfigLoader.parseFile(file);
    TaskConfig config = TaskConfigLoader.load(parsed, file.getPath(), task, transportOverride);
    return new Loaded(config, RunnerSettings.of(config));
  }
}
