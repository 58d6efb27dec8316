package dev.lanes.dispatch;

/**
 * A snapshot of a task's counters since it started.
 *
 * @param received deliveries accepted from the source
 * @param acked deliveries acknowledged after their handler finished
 * @param retried retries scheduled (in process or on the broker)
 * @param rejected deliveries sent to the dead letter destination
 * @param stale deliveries skipped because the broker had already taken them back
 * @param inFlight deliveries received and not settled yet (queued, running, or parked)
 */
public record TaskStats(
    long received, long acked, long retried, long rejected, long stale, long inFlight) {}
