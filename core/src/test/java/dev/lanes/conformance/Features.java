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
 * @param repeatsFinishedAfterRelease whether work finished during a finish-running stop may be
 *     delivered again because a released delivery before it holds the position back (Kafka's
 *     committed offset); never before an earlier message of its key
 */
public record Features(
    boolean headers,
    boolean keys,
    int fetchWindow,
    Duration quietPeriod,
    Duration timeout,
    boolean repeatsFinishedAfterRelease) {

  /** Headers and keys supported; a fetch window of 1. */
  public static Features defaults() {
    return new Features(true, true, 1, Duration.ofSeconds(2), Duration.ofSeconds(60), false);
  }

  public Features withHeaders(boolean value) {
    return new Features(
        value, keys, fetchWindow, quietPeriod, timeout, repeatsFinishedAfterRelease);
  }

  public Features withKeys(boolean value) {
    return new Features(
        headers, value, fetchWindow, quietPeriod, timeout, repeatsFinishedAfterRelease);
  }

  public Features withFetchWindow(int value) {
    return new Features(headers, keys, value, quietPeriod, timeout, repeatsFinishedAfterRelease);
  }

  public Features withQuietPeriod(Duration value) {
    return new Features(headers, keys, fetchWindow, value, timeout, repeatsFinishedAfterRelease);
  }

  public Features withTimeout(Duration value) {
    return new Features(
        headers, keys, fetchWindow, quietPeriod, value, repeatsFinishedAfterRelease);
  }

  public Features withRepeatsFinishedAfterRelease(boolean value) {
    return new Features(headers, keys, fetchWindow, quietPeriod, timeout, value);
  }
}
