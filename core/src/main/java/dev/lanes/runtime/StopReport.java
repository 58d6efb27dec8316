package dev.lanes.runtime;

import java.time.Duration;

/**
 * How a graceful stop went.
 *
 * @param clean every delivery received was settled before the deadline
 * @param abandoned deliveries left unsettled for the broker to redeliver
 * @param took how long the stop took
 */
public record StopReport(boolean clean, int abandoned, Duration took) {}
