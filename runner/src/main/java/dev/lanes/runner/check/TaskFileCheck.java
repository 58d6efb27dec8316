package dev.lanes.runner.check;

import com.typesafe.config.Config;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.config.UnknownKey;
import dev.lanes.runner.plugin.HandlerLoader;
import dev.lanes.runner.service.RunnerSettings;
import dev.lanes.runner.service.TaskSource;
import dev.lanes.runtime.Transports;
import dev.lanes.spi.TaskConfig;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Validates the tasks of a task file as a start would, without connecting to any broker and without
 * running handler code: the file parses; each task's values are valid (the ReadyFailed checks of a
 * start, including the runner's own keys); its transport exists; its handler class is found (on the
 * runner's class path or in a plugin jar, not initialized); and no key looks like a typo of a Lanes
 * key, which a start only warns about. Not checked: a transport's own section (amqp, kafka, nsq,
 * local), which its transport validates when it opens the task's source.
 *
 * @param file the task file
 * @param transportOverride replaces the file's transport, as {@code --transport} does; may be null
 * @param pluginsOverride the plugins directory instead of {@code plugins.dir}; may be null
 * @param loader the runner's class loader (transports, handlers)
 */
public record TaskFileCheck(
    File file, String transportOverride, Path pluginsOverride, ClassLoader loader) {

  /** What the check found: one line per problem, and the tasks it looked at. */
  public record Result(List<String> problems, List<String> tasks) {}

  /**
   * Checks {@code task}, or every task of the file when it is null.
   *
   * @return the problems in file order per section, {@code system} first
   */
  public Result run(String task) {
    Config parsed;
    try {
      parsed = TaskConfigLoader.parseFile(file);
    } catch (ReadyFailedException e) {
      return new Result(List.of(e.getMessage()), List.of());
    }
    String origin = file.getPath();
    List<String> tasks = task == null ? TaskConfigLoader.taskNames(parsed) : List.of(task);
    List<String> problems = new ArrayList<>();
    if (tasks.isEmpty()) {
      problems.add(origin + ": no tasks (a task is a section other than system)");
    }
    unknownKeys(parsed, TaskConfigLoader.SYSTEM, problems);
    for (String name : tasks) {
      unknownKeys(parsed, name, problems);
      try {
        checkTask(TaskConfigLoader.load(parsed, origin, name, transportOverride));
      } catch (ReadyFailedException e) {
        problems.add(e.getMessage());
      }
    }
    return new Result(List.copyOf(problems), tasks);
  }

  private void unknownKeys(Config parsed, String section, List<String> problems) {
    TaskConfigLoader.unknownKeys(parsed, file.getPath(), section, TaskSource.OPEN_SECTIONS).stream()
        .map(UnknownKey::message)
        .forEach(problems::add);
  }

  private void checkTask(TaskConfig task) {
    RunnerSettings settings = RunnerSettings.of(task);
    try {
      Transports.load(task.transport(), loader);
    } catch (ReadyFailedException e) {
      throw new ReadyFailedException(
          task.origin() + ": task '" + task.name() + "': " + e.getMessage(), e);
    }
    HandlerLoader.check(
        task, loader, pluginsOverride == null ? settings.pluginsDir() : pluginsOverride);
  }
}
