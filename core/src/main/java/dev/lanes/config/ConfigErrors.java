package dev.lanes.config;

import com.typesafe.config.ConfigException;
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

  private static String line(int number) {
    return number > 0 ? "line " + number + ": " : "";
  }
}
