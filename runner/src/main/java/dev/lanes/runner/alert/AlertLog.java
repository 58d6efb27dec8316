package dev.lanes.runner.alert;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.MarkerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Writes alerts as log records an alerting platform can match: ERROR level with the {@link #FATAL}
 * marker (the JSON layout renders it as {@code "level":"FATAL"}), the fixed {@code uri}, the task,
 * the kind and the facts as top-level fields. At most one record per kind per {@code
 * alerts.interval}; the next record after a quiet window carries {@code suppressed}, the count left
 * out. Thread-safe.
 */
public final class AlertLog {

  /** The marker that makes a record FATAL. */
  public static final Marker FATAL = MarkerFactory.getMarker("FATAL");

  /** The {@code uri} field of every alert, as the alerting platform expects it. */
  public static final String URI = "/business/mq/consumer";

  private static final Logger log = LoggerFactory.getLogger("dev.lanes.alert");

  private final String task;
  private final LongSupplier clock;
  private final Map<AlertKind, Window> windows = new EnumMap<>(AlertKind.class);
  private volatile Duration interval;

  /**
   * @param clock nanoseconds, as {@link System#nanoTime()}
   */
  public AlertLog(String task, Duration interval, LongSupplier clock) {
    this.task = task;
    this.interval = interval;
    this.clock = clock;
  }

  public void interval(Duration interval) {
    this.interval = interval;
  }

  /**
   * Writes one alert unless one of the same kind was written within the interval.
   *
   * @param facts field name to value (numbers and strings), written in this order
   * @return whether a record was written
   */
  public boolean raise(AlertKind kind, String message, Map<String, ?> facts) {
    long suppressed;
    synchronized (windows) {
      Window window = windows.computeIfAbsent(kind, k -> new Window());
      long now = clock.getAsLong();
      if (window.written && now - window.lastNanos < interval.toNanos()) {
        window.suppressed++;
        return false;
      }
      window.written = true;
      window.lastNanos = now;
      suppressed = window.suppressed;
      window.suppressed = 0;
    }
    LoggingEventBuilder record =
        log.atError()
            .addMarker(FATAL)
            .addKeyValue("uri", URI)
            .addKeyValue("task", task)
            .addKeyValue("kind", kind.id());
    facts.forEach(record::addKeyValue);
    if (suppressed > 0) {
      record.addKeyValue("suppressed", suppressed);
    }
    record.log("{}: {}", task, message);
    return true;
  }

  /**
   * Writes one INFO record with the alert fields, not rate-limited: the end of an incident an alert
   * reported, e.g. {@code circuit_closed} after {@code circuit_open}.
   *
   * @param kind the record's {@code "kind"} field
   */
  public void notice(String kind, String message, Map<String, ?> facts) {
    LoggingEventBuilder record =
        log.atInfo().addKeyValue("uri", URI).addKeyValue("task", task).addKeyValue("kind", kind);
    facts.forEach(record::addKeyValue);
    record.log("{}: {}", task, message);
  }

  private static final class Window {
    boolean written;
    long lastNanos;
    long suppressed;
  }
}
