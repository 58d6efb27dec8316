package dev.lanes.runner.service;

import dev.lanes.dispatch.TaskStats;
import dev.lanes.runtime.TaskRuntime;
import dev.lanes.spi.TaskConfig;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedSet;

/** Formats what {@code runner status} shows: one {@code name: value} fact per line. */
final class StatusReport {

  private StatusReport() {}

  static String of(TaskService service, Duration uptime) {
    TaskRuntime runtime = service.runtime();
    TaskConfig task = service.config();
    TaskStats stats = runtime.stats();
    OptionalLong backlog = runtime.backlog();
    int[] depths = runtime.laneDepths();
    StringBuilder lanes = new StringBuilder();
    for (int depth : depths) {
      lanes.append(lanes.length() == 0 ? "" : " ").append(depth);
    }
    StringBuilder out = new StringBuilder();
    line(out, "task", task.name());
    line(out, "state", runtime.state().toString());
    line(out, "pid", Long.toString(ProcessHandle.current().pid()));
    line(out, "uptime", uptime.toSeconds() + " s");
    line(out, "config", task.origin());
    line(out, "transport", task.transport() + " (" + service.transport().messagingSystem() + ")");
    line(out, "lanes", Integer.toString(depths.length));
    line(out, "lane depths", lanes.toString());
    line(out, "in flight", Long.toString(stats.inFlight()));
    line(out, "received", stats.received() + " (" + service.rates().receivedPerSecond() + "/s)");
    line(
        out,
        "handled",
        (stats.acked() + stats.retried() + stats.rejected())
            + " ("
            + service.rates().handledPerSecond()
            + "/s)");
    line(out, "acked", Long.toString(stats.acked()));
    line(out, "retried", Long.toString(stats.retried()));
    line(out, "rejected", Long.toString(stats.rejected()));
    line(out, "stop mode", runtime.stopMode().configName());
    service
        .lastStop()
        .ifPresent(
            r -> line(out, "last pipeline stop", r.took().toMillis() + " ms, " + r.counts()));
    line(out, "backlog", backlog.isPresent() ? Long.toString(backlog.getAsLong()) : "n/a");
    line(out, "partitions owned", owned(runtime.ownedPartitions()));
    line(
        out,
        "breaker",
        runtime
            .breakerState()
            .map(s -> s.name().toLowerCase(Locale.ROOT).replace('_', '-'))
            .orElse("off"));
    line(out, "http", service.httpAddress().orElse("off"));
    line(out, "publish", service.publishAddress().orElse("off"));
    return out.toString();
  }

  /** {@code 2 (orders-0 orders-1)}, {@code 0}, or {@code n/a} when there are none to own. */
  private static String owned(Optional<SortedSet<String>> partitions) {
    return partitions
        .map(p -> p.isEmpty() ? "0" : p.size() + " (" + String.join(" ", p) + ")")
        .orElse("n/a");
  }

  private static void line(StringBuilder out, String name, String value) {
    out.append(name).append(": ").append(value).append('\n');
  }
}
