package dev.lanes.transport.amqp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The delay queues of broker-side retries: one queue per tier, {@code <queue>.retry.<tier>}, whose
 * {@code x-message-ttl} is the tier and whose dead-letter target is the work queue (through the
 * default exchange), plus {@code <queue>.retry.long} for delays beyond the last tier, where each
 * message carries its own TTL. No broker plugin is needed.
 *
 * <p>A queue with one TTL for all its messages expires them in arrival order, so a tier never holds
 * a short delay behind a long one. Immutable.
 */
final class RetryQueues {

  /** Where a retry waits and for how long the broker holds it there. */
  record Route(String queue, Duration perMessageTtl) {}

  /** One tier queue and its TTL. */
  record Tier(String queue, Duration ttl) {}

  private final List<Tier> tiers;
  private final String longQueue;

  RetryQueues(String workQueue, List<Duration> delays) {
    List<Tier> list = new ArrayList<>();
    for (Duration delay : delays) {
      list.add(new Tier(workQueue + ".retry." + label(delay), delay));
    }
    this.tiers = List.copyOf(list);
    this.longQueue = workQueue + ".retry.long";
  }

  /**
   * The route of a retry after {@code delay}: the smallest tier not shorter than the delay (so it
   * waits at least the delay and at most that tier), the queue the delivery came from ({@code
   * from}, the work queue or its partition queue) for a zero delay, or the long queue with a
   * per-message TTL of exactly the delay.
   */
  Route route(Duration delay, String from) {
    if (delay.isZero() || delay.isNegative()) {
      return new Route(from, null);
    }
    for (Tier tier : tiers) {
      if (tier.ttl.compareTo(delay) >= 0) {
        return new Route(tier.queue, null);
      }
    }
    // round up to whole milliseconds so the wait is never shorter than asked
    long millis = delay.toMillis() + (delay.minusMillis(delay.toMillis()).isZero() ? 0 : 1);
    return new Route(longQueue, Duration.ofMillis(millis));
  }

  List<Tier> tiers() {
    return tiers;
  }

  String longQueue() {
    return longQueue;
  }

  /** {@code 1h}, {@code 5m}, {@code 30s} or {@code 1500ms}: the shortest exact form. */
  static String label(Duration delay) {
    long ms = delay.toMillis();
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
