package dev.lanes.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One transport's outcome of {@link BacklogMemoryWorkload}: the consumer JVM's {@code RESULT}
 * judged against the bound of the settings, as a row of the summary table.
 */
record Verdict(boolean valid, String row) {

  static final String HEADER =
      "| transport | backlog | preload s (msg/s) | held max / bound | bound MiB |"
          + " baseline MiB | growth MiB | B per held | peak MiB | drained | drain msg/s | dup |"
          + " order | verdict |\n"
          + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|";

  private static final double MIB = 1048576.0;

  static Verdict judge(
      BacklogMemoryWorkload.Settings settings,
      Backlog backlog,
      Map<String, String> result,
      double preloadSeconds) {
    String transport = backlog.transport();
    int exit = Integer.parseInt(result.get("exit"));
    String preload =
        String.format("%.1f (%,.0f)", preloadSeconds, settings.backlog() / preloadSeconds);
    if (exit != 0 || !result.containsKey("maxUsed")) {
      String why = exit == 3 ? "OutOfMemoryError" : "consumer JVM exited " + exit;
      return new Verdict(
          false,
          String.format(
              "| %s | %,d | %s | | | | | | | | | | | FAIL: %s |",
              transport, settings.backlog(), preload, why));
    }
    Backlog.ClientBuffer client = backlog.clientBuffer(backlog.taskSettings("any"));
    long bound = settings.bound(client);
    long baseline = number(result, "baseline");
    long growth = number(result, "maxUsed") - baseline;
    long held = number(result, "maxHeld");
    long heldBound = settings.heldBound(client);
    long expected = Math.min(settings.drain(), settings.backlog());
    long handled = number(result, "handled");
    long duplicates = number(result, "duplicates");
    long violations = number(result, "violations");
    boolean ordered = !transport.equals("nsq"); // docs/transports/nsq.md, Ordering

    List<String> failures = new ArrayList<>();
    if (growth > bound) {
      failures.add("heap over the bound");
    }
    if (!Boolean.parseBoolean(result.get("settled"))) {
      failures.add("still filling at the end of the stall (raise stallSeconds)");
    }
    if (held > heldBound) {
      failures.add("held over its bound");
    }
    if (handled < expected) {
      failures.add("drained " + handled + " of " + expected);
    }
    if (duplicates > 0) {
      failures.add("duplicates");
    }
    if (ordered && violations > 0) {
      failures.add("per-key order broken");
    }
    String verdict = failures.isEmpty() ? "ok" : "FAIL: " + String.join(", ", failures);
    double drainSeconds = Double.parseDouble(result.get("drainSeconds"));
    String row =
        String.format(
            "| %s | %,d | %s | %,d / %,d | %.1f | %.1f | %.1f | %s | %.1f | %,d | %,.0f | %d |"
                + " %s | %s |",
            transport,
            settings.backlog(),
            preload,
            held,
            heldBound,
            bound / MIB,
            baseline / MIB,
            growth / MIB,
            held == 0 ? "-" : String.format("%,d", growth / held),
            number(result, "peak") / MIB,
            handled,
            drainSeconds > 0 ? handled / drainSeconds : 0,
            duplicates,
            violations + (ordered ? "" : " (not kept)"),
            verdict);
    return new Verdict(failures.isEmpty(), row);
  }

  private static long number(Map<String, String> result, String key) {
    return Long.parseLong(result.get(key));
  }
}
