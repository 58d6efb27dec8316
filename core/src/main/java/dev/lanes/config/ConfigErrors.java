package dev.lanes.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigException.ValidationFailed;
import com.typesafe.config.ConfigException.ValidationProblem;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * The one format of a Lanes config error, {@code <file>[:<line>]: task '<task>': <key>: <problem>}
 * ({@link #where}, {@link #validation}), and the detail part taken from typesafe-config's
 * exceptions ({@link #detail}): their messages start with the origin ({@code conf/app.conf: 3: }),
 * which a Lanes error already names, so it keeps the line number and drops the file name.
 */
public final class ConfigErrors {

  private ConfigErrors() {}

  /** The detail of {@code e} without its origin's file name; other exceptions as they are. */
  public static String detail(Exception e) {
    if (e instanceof ConfigException config && config.origin() != null) {
      String prefix = config.origin().description() + ": ";
      String message = config.getMessage();
      if (message.startsWith(prefix)) {
        return line(config.origin().lineNumber()) + message.substring(prefix.length());
      }
    }
    return e.getMessage();
  }

  /**
   * The problems of a task's config that {@link Config#checkValid} found against {@code reference},
   * each in the one format of every Lanes config error ({@link #where}), joined by {@code "; "}:
   * {@code conf/app.conf:4: task 'orders': nsq.nsqd: expected a list, got a string}. Values are not
   * repeated (one may be a secret).
   */
  public static String validation(
      String origin, String task, Config config, Config reference, ValidationFailed failed) {
    return StreamSupport.stream(failed.problems().spliterator(), false)
        .map(p -> where(origin, task, config, p.path()) + ": " + problem(config, reference, p))
        .collect(Collectors.joining("; "));
  }

  private static String problem(Config config, Config reference, ValidationProblem problem) {
    String path = problem.path();
    try {
      if (config.hasPath(path) && reference.hasPath(path)) {
        return "expected "
            + typeName(reference.getValue(path).valueType())
            + ", got "
            + typeName(config.getValue(path).valueType());
      }
    } catch (ConfigException e) {
      // a path typesafe-config cannot look up again: its own words below
    }
    return problem.problem();
  }

  private static String typeName(ConfigValueType type) {
    return switch (type) {
      case OBJECT -> "a section ({ ... })";
      case LIST -> "a list";
      case NUMBER -> "a number";
      case BOOLEAN -> "true or false";
      case NULL -> "null";
      case STRING -> "a string";
    };
  }

  /**
   * Where an invalid key of a task is, in the one format of every Lanes config error: {@code
   * <origin>[:<line>]: task '<task>': <key>}. The line is the key's line in the task file; a key
   * that is not set there (a default from a {@code reference.conf}, or a missing key) has none.
   *
   * @param origin the task file's name (or another description of where the task came from)
   * @param config the task's resolved config, where {@code key} is looked up
   */
  public static String where(String origin, String task, Config config, String key) {
    return origin + lineOf(config, key) + ": task '" + task + "': " + key;
  }

  private static String lineOf(Config config, String key) {
    try {
      if (!config.hasPath(key)) {
        return "";
      }
      ConfigValue value = config.getValue(key);
      ConfigOrigin origin = value.origin();
      if (value.valueType() == ConfigValueType.OBJECT
          || origin.resource() != null
          || origin.lineNumber() < 1) {
        return ""; // a merged section, or a default: no line of the task file
      }
      return ":" + origin.lineNumber();
    } catch (ConfigException e) {
      return ""; // a key that is not a config path, e.g. one holding a character paths forbid
    }
  }

  private static String line(int number) {
    return number > 0 ? "line " + number + ": " : "";
  }
}
