package dev.lanes.conformance;

import java.time.Duration;

/**
 * What a transport under test can do, so the kit skips what a broker lacks explicitly (a
 * reported skip, never a silent pass) and sizes its bounds to the broker.
 *
 * @param headers messages carry headers end to end
 * @param keys messages carry a broker key end to end
 * @param brokerRetry {@code Acknowledger.retry(delay)} redelivers through the broker
 * @param fetchWindow how many deliveries the source may push after a pause (prefetch, poll batch)
 * @param quietPeriod how long to watch for a redelivery that must not come
 * @param timeout how long any scenario may wait for deliveries
 */
public record Features(
    boolean headers,
    boolean keys,
    boolean brokerRetry,
    int fetchWindow,
    Duration quietPeriod,
    Duration timeout) {

  /** Headers, keys and broker retry supported; a fetch window of 1. */
  public static Features defaults() {
    return new Features(true, true, true, 1, Duration.ofSeconds(2), Duration.ofSeconds(60));
  }

  public Features withHeaders(boolean value) {
    return new Features(value, keys, brokerRetry, fetchWindow, quietPeriod, timeout);
  }

  public Features withKeys(boolean value) {
    return new Features(headers, value, brokerRetry, fetchWindow, quietPeriod, timeout);
  }

  public Features withBrokerRetry(boolean value) {
    return new Features(headers, keys, value, fetchWindow, quietPeriod, timeout);
  }

  public Features withFetchWindow(int value) {
    return new Features(headers, keys, brokerRetry, value, quietPeriod, timeout);
  }

  public Features withQuietPeriod(Duration value) {
    return new Features(headers, keys, brokerRetry, fetchWindow, value, timeout);
  }

  public Features withTimeout(Duration value) {
    return new Features(headers, keys, brokerRetry, fetchWindow, quietPeriod, value);
  }
}
