package dev.lanes.runner.service;

import com.typesafe.config.Config;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.config.UnknownKey;
import dev.lanes.spi.TaskConfig;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

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

  /**
   * Sections of a task whose keys are not the runner's: {@code seed} is handed whole to the
   * generator, which reads keys of its own ({@code orders} of the sample generator).
   */
  public static final Set<String> OPEN_SECTIONS = Set.of("seed");

  /**
   * A task's config and the runner's keys of it, read together, with the keys of the file that look
   * like typos of Lanes keys (to warn about; the task runs with the defaults of those).
   */
  public record Loaded(TaskConfig task, RunnerSettings settings, List<UnknownKey> unknownKeys) {}

  /**
   * @throws ReadyFailedException naming file, key and expectation when anything is invalid
   */
  public Loaded load() {
    Config parsed = TaskConfigLoader.parseFile(file);
    TaskConfig config = TaskConfigLoader.load(parsed, file.getPath(), task, transportOverride);
    RunnerSettings settings = RunnerSettings.of(config);
    return new Loaded(
        config,
        pluginsOverride == null ? settings : settings.withPluginsDir(pluginsOverride),
        unknownKeys(parsed, file.getPath(), task));
  }

  /**
   * The keys of the file's {@code system} section and of {@code task}'s own section that look like
   * typos of Lanes keys, {@code system} first.
   */
  public static List<UnknownKey> unknownKeys(Config parsed, String origin, String task) {
    List<UnknownKey> unknown = new ArrayList<>();
    for (String section : List.of(TaskConfigLoader.SYSTEM, task)) {
      unknown.addAll(TaskConfigLoader.unknownKeys(parsed, origin, section, OPEN_SECTIONS));
    }
    return List.copyOf(unknown);
  }
}
