package dev.lanes.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.spi.TaskConfig;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * Reads the keys of one section of a task's config ({@code kafka}, {@code amqp}, {@code breaker},
 * or the task's own keys) with their types and bounds, eagerly. The one way transports, core and
 * the runner read settings, so that every invalid value is reported alike:
 *
 * <ul>
 *   <li>a value of the wrong type: {@code <file>:<line>: task '<task>': <key>: expected
 *       <expectation> (<what typesafe-config said>)}
 *   <li>a value out of bounds: {@code <file>:<line>: task '<task>': <key>: expected <expectation>,
 *       got <value>} (strings in single quotes)
 * </ul>
 *
 * The line is the key's line in the task file; a key not set there has none (see {@link
 * ConfigErrors#where}). Keys are relative to the section and reported with its prefix ({@code
 * kafka.commitTimeout}). Every default lives in a {@code reference.conf}: a key missing from the
 * resolved config is reported as a wrong type. Not thread-safe; one reader per read.
 */
public final class SectionReader {

  /** What a duration of the wrong type is reported as expecting. */
  public static final String DURATION = "a duration such as 500ms or 30s";

  private final String task;
  private final String origin;
  private final Config root;
  private final Config section;
  private final String prefix;

  private SectionReader(String task, String origin, Config root, String section) {
    this.task = task;
    this.origin = origin;
    this.root = root;
    this.prefix = section.isEmpty() ? "" : section + ".";
    this.section = section.isEmpty() ? root : root.getConfig(section);
  }

  /**
   * A reader of {@code task}'s section {@code name}, e.g. {@code of(task, "kafka")}.
   *
   * @throws ReadyFailedException naming the section when it is missing or not an object
   */
  public static SectionReader of(TaskConfig task, String name) {
    task.section(name); // reports a missing or scalar section as such
    return new SectionReader(task.name(), task.origin(), task.config(), name);
  }

  /** A reader of a task's own keys ({@code consumerNum}, {@code http.port}...). */
  public static SectionReader root(TaskConfig task) {
    return new SectionReader(task.name(), task.origin(), task.config(), "");
  }

  /** A reader of a task's own keys before its {@link TaskConfig} exists. */
  static SectionReader root(String task, String origin, Config config) {
    return new SectionReader(task, origin, config, "");
  }

  /** The section itself, for what this reader has no method for (pass it to {@link #get}). */
  public Config config() {
    return section;
  }

  /** The trimmed string at {@code key}. */
  public String text(String key) {
    return get(key, "a string", c -> c.getString(key).trim());
  }

  /**
   * The trimmed string at {@code key}, or the task's name when it is empty: the rule of every name
   * a task may leave to its own (queue, topic, group, channel).
   */
  public String textOrTaskName(String key) {
    String value = text(key);
    return value.isEmpty() ? task : value;
  }

  /** The boolean at {@code key}. */
  public boolean bool(String key) {
    return get(key, "true or false", c -> c.getBoolean(key));
  }

  /** The integer at {@code key}, at least {@code min}. */
  public int atLeast(String key, int min) {
    return integer(key, min, Integer.MAX_VALUE);
  }

  /** The integer at {@code key}, from {@code min} to {@code max}. */
  public int integer(String key, int min, int max) {
    int value = get(key, "an integer", c -> c.getInt(key));
    if (value < min || value > max) {
      String bounds = max == Integer.MAX_VALUE ? ">= " + min : "from " + min + " to " + max;
      throw invalid(key, "an integer " + bounds, value);
    }
    return value;
  }

  /** The number at {@code key}; the caller checks its bounds. */
  public double number(String key) {
    return get(key, "a number", c -> c.getDouble(key));
  }

  /** The duration at {@code key}, longer than zero. */
  public Duration positiveDuration(String key) {
    Duration value = duration(key);
    if (value.isNegative() || value.isZero()) {
      throw invalid(key, "a duration > 0", value);
    }
    return value;
  }

  /** The duration at {@code key}, at least {@code min}. */
  public Duration duration(String key, Duration min) {
    Duration value = duration(key);
    if (value.compareTo(min) < 0) {
      throw invalid(key, "a duration >= " + text(min), value);
    }
    return value;
  }

  /** The duration at {@code key}, of any length, negative too: the caller checks its bounds. */
  public Duration duration(String key) {
    return get(key, DURATION, c -> c.getDuration(key));
  }

  /** The list of strings at {@code key}. */
  public List<String> textList(String key, String expectation) {
    return get(key, expectation, c -> c.getStringList(key));
  }

  /**
   * The value {@code read} takes from the section; a typesafe-config error is reported as {@code
   * key} not being {@code expectation}.
   */
  public <T> T get(String key, String expectation, Function<Config, T> read) {
    try {
      return read.apply(config());
    } catch (ConfigException e) {
      throw new ReadyFailedException(
          where(key) + ": expected " + expectation + " (" + ConfigErrors.detail(e) + ")", e);
    }
  }

  /** An error for {@code key}, whose value {@code actual} is not {@code expectation}. */
  public ReadyFailedException invalid(String key, String expectation, Object actual) {
    String got = actual instanceof String ? "'" + actual + "'" : String.valueOf(actual);
    return new ReadyFailedException(where(key) + ": expected " + expectation + ", got " + got);
  }

  /**
   * An error for {@code key} that does not repeat its value: a secret, or a value derived from
   * other keys that {@code expectation} explains.
   */
  public ReadyFailedException invalid(String key, String expectation) {
    return new ReadyFailedException(where(key) + ": expected " + expectation);
  }

  /** An error for {@code key} whose value failed a check that threw {@code cause}. */
  public ReadyFailedException invalid(String key, String expectation, Exception cause) {
    return new ReadyFailedException(
        where(key) + ": expected " + expectation + " (" + ConfigErrors.detail(cause) + ")", cause);
  }

  private String where(String key) {
    return ConfigErrors.where(origin, task, root, prefix + key);
  }

  private static String text(Duration d) {
    long millis = d.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }
}
