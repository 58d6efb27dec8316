package dev.lanes.spi;

import java.time.Duration;

/**
 * A task's retry policy ({@code retry { ... }} in config): exponential backoff with jitter, then
 * dead-letter.
 *
 * @param maxAttempts attempts in all, including the first; the message is dead-lettered after the
 *     last one fails
 * @param initialDelay backoff before attempt 2
 * @param multiplier growth of the backoff per attempt ({@code >= 1})
 * @param maxDelay cap of the backoff
 * @param jitter spread of each backoff as a fraction ({@code 0.2} = ±20%)
 * @param parkLimit retries due within this delay wait in process (the delivery stays unsettled and
 *     later messages of its key wait behind it); longer ones go back to the broker via {@link
 *     Acknowledger#retry}
 */
public record RetrySettings(
    int maxAttempts,
    Duration initialDelay,
    double multiplier,
    Duration maxDelay,
    double jitter,
    Duration parkLimit) {}
