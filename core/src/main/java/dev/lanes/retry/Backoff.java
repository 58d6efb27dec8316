package dev.lanes.retry;

import dev.lanes.spi.RetrySettings;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The retry policy's arithmetic: exponential backoff with jitter, capped, and when attempts run
 * out. Stateless and thread-safe.
 */
public final class Backoff {

  private final RetrySettings settings;

  public Backoff(RetrySettings settings) {
    this.settings = settings;
  }

  /** Whether a message whose attempt {@code attempt} just failed may be tried again. */
  public boolean mayRetry(int attempt) {
    return attempt < settings.maxAttempts();
  }

  /**
   * The wait before the attempt after {@code failedAttempt}: {@code initialDelay *
   * multiplier^(failedAttempt-1)}, capped at {@code maxDelay}, spread by ±{@code jitter}.
   */
  public Duration delayAfter(int failedAttempt) {
    double base =
        settings.initialDelay().toNanos()
            * Math.pow(settings.multiplier(), Math.max(0, failedAttempt - 1));
    double capped = Math.min(base, settings.maxDelay().toNanos());
    double spread = settings.jitter() * (2 * ThreadLocalRandom.current().nextDouble() - 1);
    return Duration.ofNanos((long) Math.max(0, capped * (1 + spread)));
  }

  /** Whether a retry after {@code delay} waits in process rather than on the broker. */
  public boolean parksInProcess(Duration delay) {
    return delay.compareTo(settings.parkLimit()) <= 0;
  }
}
