package dev.lanes.runner.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import dev.lanes.runner.service.RunnerSettings.LogSettings;
import java.net.URL;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Points logback at the runner's layouts: JSON records to a file (background services), JSON
 * records to stderr ({@code log.format = json}), and applies {@code log.level}/{@code log.levels},
 * also live after an update. The default text layout is {@code logback.xml}.
 */
public final class LogSetup {

  private static final String JSON_FILE = "dev/lanes/runner/log/json-file.xml";
  private static final String JSON_STDERR = "dev/lanes/runner/log/json-stderr.xml";

  private LogSetup() {}

  /** Writes every record as one JSON line to {@code file} (rolled at 50 MB, 5 kept). */
  public static void jsonFile(Path file) {
    configure(JSON_FILE, Map.of("LANES_LOG_FILE", file.toAbsolutePath().toString()));
  }

  /** Writes every record as one JSON line to stderr. */
  public static void jsonStderr() {
    configure(JSON_STDERR, Map.of());
  }

  private static void configure(String resource, Map<String, String> properties) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return; // another SLF4J binding: leave it to its own configuration
    }
    URL url = LogSetup.class.getClassLoader().getResource(resource);
    context.reset();
    properties.forEach(context::putProperty);
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(url);
    } catch (JoranException e) {
      throw new IllegalStateException("log layout " + resource + " is broken: " + e, e);
    }
  }

  /** Sets the root level and the levels of single loggers; loggers no longer listed are reset. */
  public static void apply(LogSettings settings, LogSettings previous) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(settings.level()));
    Map<String, String> reset = new HashMap<>(previous == null ? Map.of() : previous.levels());
    settings.levels().keySet().forEach(reset::remove);
    reset.keySet().forEach(logger -> context.getLogger(logger).setLevel(null));
    settings
        .levels()
        .forEach((logger, level) -> context.getLogger(logger).setLevel(Level.toLevel(level)));
  }
}
