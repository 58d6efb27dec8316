package dev.lanes.runner.service;

import com.typesafe.config.Config;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.spi.TaskConfig;
import java.io.File;
import java.nio.file.Path;

/**
 * Where a task's config comes from: a task file, the task's name in it, and the command line's
 * overrides of its transport and plugins directory (each {@code null} when not given). {@link
 * #load()} reads the file afresh each time (start and every update).
 */
public record TaskSource(File file, String task, String transportOverride, Path pluginsOverride) {

  /** A source without a plugins directory override. */
  public TaskSource(File file, String task, String transportOverride) {
    this(file, task, transportOverride, null);
  }

  /** A task's config and the runner's keys of it, read together. */
  public record Loaded(TaskConfig task, RunnerSettings settings) {}

  /**
   * @throws ReadyFailedException naming file, key and expectation when anything is invalid
   */
  public Loaded load() {
    Config parsed = TaskConfigLoader.parseFile(file);
    TaskConfig config = TaskConfigLoader.load(parsed, file.getPath(), task, transportOverride);
    RunnerSettings settings = RunnerSettings.of(config);
    return new Loaded(
        config, pluginsOverride == null ? settings : settings.withPluginsDir(pluginsOverride));
  }
}
