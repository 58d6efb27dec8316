package dev.lanes.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.spi.TaskConfig;
import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads task files: {@code system} defaults plus one section per task, resolved as {@code
 * task.withFallback(system).withFallback(reference.conf)}. Every failure is a {@link
 * ReadyFailedException} naming the file, the key and what was expected.
 */
public final class TaskConfigLoader {

  /** Path of the task defaults inside {@code reference.conf}. */
  public static final String DEFAULTS_PATH = "lanes.task";

  /** The section of a task file that holds defaults for every task. */
  public static final String SYSTEM = "system";

  private TaskConfigLoader() {}

  /** Parses and resolves a task file (substitutions fall back to environment variables). */
  public static Config parseFile(File file) {
    if (!file.isFile()) {
      throw new ReadyFailedException(
          "task file not found: " + file + " (give one with --config FILE)");
    }
    try {
      return ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setAllowMissing(false))
          .resolve();
    } catch (ConfigException e) {
      throw new ReadyFailedException(
          "invalid task file " + file + ": " + ConfigErrors.detail(e), e);
    }
  }

  /** The task names a parsed file defines (every top-level object except {@code system}). */
  public static List<String> taskNames(Config file) {
    TreeSet<String> names = new TreeSet<>();
    file.root()
        .forEach(
            (key, value) -> {
              if (!SYSTEM.equals(key) && value.valueType() == ConfigValueType.OBJECT) {
                names.add(key);
              }
            });
    return List.copyOf(names);
  }

  /**
   * The validated config of one task of a parsed file. A task file has no default transport: a task
   * whose {@code transport} is set neither in its section, nor in {@code system}, nor by {@code
   * transportOverride} is refused, so that a service never runs on the in-memory transport by
   * accident.
   *
   * @param transportOverride replaces the file's {@code transport} when not {@code null}
   * @throws ReadyFailedException for an unknown task, an invalid value or a missing transport
   */
  public static TaskConfig load(Config file, String origin, String task, String transportOverride) {
    if (!file.hasPath(task)
        || file.getValue(task).valueType() != ConfigValueType.OBJECT
        || SYSTEM.equals(task)) {
      throw new ReadyFailedException(
          origin + ": unknown task '" + task + "'; tasks in this file: " + taskNames(file));
    }
    Config merged = file.getConfig(task);
    if (file.hasPath(SYSTEM)) {
      merged = merged.withFallback(file.getConfig(SYSTEM));
    }
    if (transportOverride != null) {
      merged = merged.withValue("transport", ConfigValueFactory.fromAnyRef(transportOverride));
    }
    TaskConfig config =
        TaskSettingsReader.read(task, merged.withFallback(defaults()).resolve(), origin);
    if (config.transport().isEmpty()) {
      throw new ReadyFailedException(
          origin
              + ": task '"
              + task
              + "': transport is not set; set transport = local (the embedded durable queue),"
              + " amqp, kafka or nsq in the task or in system, or give --transport (memory keeps"
              + " messages in this process only: tests and demos)");
    }
    return config;
  }

  /**
   * The keys of one section of a parsed file ({@code system} or a task's own) that no {@code
   * reference.conf} defines and that look like typos (see {@link UnknownKeys} for the rules), in
   * file order; none when the file has no such section.
   *
   * @param openSections sections whose keys belong to a plugged-in class, e.g. {@code seed}
   */
  public static List<UnknownKey> unknownKeys(
      Config file, String origin, String section, Set<String> openSections) {
    if (!file.hasPath(section) || file.getValue(section).valueType() != ConfigValueType.OBJECT) {
      return List.of();
    }
    String label = SYSTEM.equals(section) ? SYSTEM : "task '" + section + "'";
    return new UnknownKeys(defaults(), openSections).in(file.getConfig(section), origin, label);
  }

  /**
   * A task built from overrides over the defaults alone, for tests and embedding. Its {@code
   * transport} may stay unset (empty): the caller hands the transport to the runtime itself.
   *
   * @param overrides e.g. {@code Map.of("consumerNum", 4, "memory.queue", "q1")}
   */
  public static TaskConfig forTask(String task, Map<String, ?> overrides) {
    return forTask(task, ConfigFactory.parseMap(overrides, "overrides of " + task));
  }

  /** A task built from a config section over the defaults, for tests and embedding. */
  public static TaskConfig forTask(String task, Config section) {
    return TaskSettingsReader.read(
        task, section.withFallback(defaults()).resolve(), "task " + task);
  }

  /**
   * The defaults every task falls back to, from all {@code reference.conf} files on the class path.
   */
  public static Config defaults() {
    return ConfigFactory.defaultReference().getConfig(DEFAULTS_PATH);
  }
}
