package dev.lanes.conformance;

import java.time.Duration;

/**
 * What a transport under test can do, so the kit sizes its bounds to the broker. Every transport
 * must redeliver through the broker on {@code Acknowledger.retry(delay)}; none may skip that.
 *
 * @param headers messages carry headers end to end
 * @param keys messages carry a broker key end to end
 * @param fetchWindow how many deliveries the source may push after a pause (prefetch, poll batch)
 * @param quietPeriod how long to watch for a redelivery that must not come
 * @param timeout how long any scenario may wait for deliveries
 */
public record Features(
    boolean headers, boolean keys, int fetchWindow, Duration quietPeriod, Duration timeout) {

  /** Headers and keys supported; a fetch window of 1. */
  public static Features defaults() {
    return new Features(true, true, 1, Duration.ofSeconds(2), Duration.ofSeconds(60));
  }

  public Features withHeaders(boolean value) {
    return new Features(value, keys, fetchWindow, quietPeriod, timeout);
  }

  public Features withKeys(boolean value) {
    return new Features(headers, value, fetchWindow, quietPeriod, timeout);
  }

  public Features withFetchWindow(int value) {
    return new Features(headers, keys, value, quietPeriod, timeout);
  }

  public Features withQuietPeriod(Duration value) {
    return new Features(headers, keys, fetchWindow, value, timeout);
  }

  public Features withTimeout(Duration value) {
    return new Features(headers, keys, fetchWindow, quietPeriod, value);
  }
}
