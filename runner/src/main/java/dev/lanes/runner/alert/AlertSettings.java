package dev.lanes.runner.alert;

import java.time.Duration;

/**
 * The {@code alerts.*} thresholds; a zero duration or count turns its alert off.
 *
 * @param slowHandler one handler call ran longer than this
 * @param stall work waiting but no handler call finished for this long
 * @param backlog the broker's backlog stayed above this ...
 * @param backlogFor ... for this long
 * @param brokerUnreachable the task's source was disconnected from its broker for this long
 * @param interval at most one record per kind in this window
 */
public record AlertSettings(
    Duration slowHandler,
    Duration stall,
    long backlog,
    Duration backlogFor,
    Duration brokerUnreachable,
    Duration interval) {}
