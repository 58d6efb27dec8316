package dev.lanes.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * Turns typesafe-config's exceptions into the detail part of a Lanes config error. Their messages
 * start with the origin ({@code conf/app.conf: 3: }), which a Lanes error already names; this keeps
 * the line number and drops the repeated file name.
 */
public final class ConfigErrors {

  private ConfigErrors() {}

  /** The detail of {@code e} without its origin's file name; other exceptions as they are. */
  public static String detail(Exception e) {
    if (e instanceof ConfigException.ValidationFailed failed) {
      return StreamSupport.stream(failed.problems().spliterator(), false)
          .map(p -> line(p.origin().lineNumber()) + p.path() + ": " + p.problem())
          .collect(Collectors.joining("; "));
    }
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
