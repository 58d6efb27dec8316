package dev.lanes.dispatch;

import dev.lanes.api.ReadyFailedException;
import dev.lanes.config.SectionReader;
import dev.lanes.spi.TaskConfig;
import java.time.Duration;

/**
 * A task's circuit breaker settings ({@code breaker { ... }} in config; the meaning and default of
 * each key are in {@code reference.conf}).
 *
 * @param enabled whether handler calls go through a breaker at all
 * @param failureRate open when at least this percentage of the calls in the window failed
 * @param window the time-based sliding window the rate is taken over (whole seconds)
 * @param minimumCalls calls the window must hold before the rate counts
 * @param openFor how long the breaker stays open before it lets probes through
 * @param probes half-open probe calls, run one at a time, that decide whether it closes
 */
public record BreakerSettings(
    boolean enabled,
    float failureRate,
    Duration window,
    int minimumCalls,
    Duration openFor,
    int probes) {

  private static final Duration ONE_MILLI = Duration.ofMillis(1);

  /**
   * Reads and validates {@code breaker.*} of {@code task}.
   *
   * @throws ReadyFailedException naming the key when a value is invalid
   */
  public static BreakerSettings of(TaskConfig task) {
    SectionReader breaker = SectionReader.of(task, "breaker");
    return new BreakerSettings(
        breaker.bool("enabled"),
        percent(breaker),
        seconds(breaker, "window"),
        breaker.atLeast("minimumCalls", 1),
        breaker.duration("openFor", ONE_MILLI),
        breaker.atLeast("probes", 1));
  }

  private static float percent(SectionReader breaker) {
    double value = breaker.number("failureRate");
    if (value <= 0 || value > 100) {
      throw breaker.invalid("failureRate", "a percentage in (0, 100]", value);
    }
    return (float) value;
  }

  private static Duration seconds(SectionReader breaker, String key) {
    Duration value = breaker.duration(key, ONE_MILLI);
    if (value.toMillis() % 1000 != 0) {
      throw breaker.invalid(key, "whole seconds such as 60s", value);
    }
    return value;
  }
}
