package dev.lanes.runner.publish;

import java.util.function.LongSupplier;

/**
 * A token bucket: {@code ratePerSecond} tokens flow in continuously, up to {@code burst}; a request
 * for n messages takes n tokens or none. Thread-safe (one lock, held for a few arithmetic steps).
 */
final class TokenBucket {

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final double ratePerNano;
  private final double burst;
  private final LongSupplier nanoTime;
  private double tokens;
  private long lastNanos;

  /**
   * @param ratePerSecond tokens added per second, > 0
   * @param burst the most tokens the bucket holds (and starts with), >= 1
   * @param nanoTime the clock, {@code System::nanoTime} outside tests
   */
  TokenBucket(double ratePerSecond, long burst, LongSupplier nanoTime) {
    this.ratePerNano = ratePerSecond / NANOS_PER_SECOND;
    this.burst = burst;
    this.nanoTime = nanoTime;
    this.tokens = burst;
    this.lastNanos = nanoTime.getAsLong();
  }

  /**
   * Takes {@code n} tokens if the bucket holds them.
   *
   * @return 0 when taken; otherwise the nanoseconds until {@code n} tokens will be there (nothing
   *     is taken then)
   */
  synchronized long tryTake(int n) {
    long now = nanoTime.getAsLong();
    tokens = Math.min(burst, tokens + (now - lastNanos) * ratePerNano);
    lastNanos = now;
    if (tokens >= n) {
      tokens -= n;
      return 0;
    }
    return (long) Math.ceil((n - tokens) / ratePerNano);
  }
}
