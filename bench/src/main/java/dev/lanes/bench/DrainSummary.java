package dev.lanes.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The measured rounds of one broker: Lanes and raw, round by round, and what they make: medians
 * with min and max, and the ratio Lanes / raw of each round (the two ran minutes apart at most, on
 * the same JVM and machine, so the ratio is what to compare across sittings).
 */
final class DrainSummary {

  static final String HEADER =
      "| broker | records | Lanes msg/s | raw msg/s | Lanes / raw, same round | Lanes CPU µs/msg"
          + " | raw CPU µs/msg | CPU Lanes / raw | checks |\n"
          + "|---|---|---|---|---|---|---|---|---|";

  private final String broker;
  private final int records;
  private final List<Double> lanesRates = new ArrayList<>();
  private final List<Double> rawRates = new ArrayList<>();
  private final List<Double> lanesCpu = new ArrayList<>();
  private final List<Double> rawCpu = new ArrayList<>();
  private boolean valid = true;

  DrainSummary(String broker, int records) {
    this.broker = broker;
    this.records = records;
  }

  /** One run; {@code measured} is false for a warm-up, which only counts for validity. */
  void add(boolean measured, boolean lanes, DrainTally.Result result, boolean runValid) {
    valid &= runValid;
    if (measured) {
      (lanes ? lanesRates : rawRates).add(result.rate());
      (lanes ? lanesCpu : rawCpu).add(result.cpuMicrosPerRecord());
    }
  }

  boolean valid() {
    return valid;
  }

  void printDetail(PrintStream out) {
    out.println();
    out.println("| consumer | median msg/s | min | max | median CPU µs/msg | min | max |");
    out.println("|---|---|---|---|---|---|---|");
    out.println(row("lanes", lanesRates, lanesCpu));
    out.println(row("raw", rawRates, rawCpu));
    out.printf(
        "%n%s, Lanes / raw in the same round: msg/s %s; CPU µs/msg %s%n",
        broker, spread(ratios(lanesRates, rawRates)), spread(ratios(lanesCpu, rawCpu)));
  }

  /** The broker's line under {@link #HEADER}. */
  String line() {
    return String.format(
        "| %s | %,d | %,.0f | %,.0f | %s | %.2f | %.2f | %s | %s |",
        broker,
        records,
        median(lanesRates),
        median(rawRates),
        spread(ratios(lanesRates, rawRates)),
        median(lanesCpu),
        median(rawCpu),
        spread(ratios(lanesCpu, rawCpu)),
        valid ? "all valid" : "INVALID");
  }

  private static String row(String consumer, List<Double> rates, List<Double> cpu) {
    return String.format(
        "| %s | %,.0f | %,.0f | %,.0f | %.2f | %.2f | %.2f |",
        consumer, median(rates), min(rates), max(rates), median(cpu), min(cpu), max(cpu));
  }

  private static List<Double> ratios(List<Double> lanes, List<Double> raw) {
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < Math.min(lanes.size(), raw.size()); i++) {
      ratios.add(raw.get(i) == 0 ? 0 : lanes.get(i) / raw.get(i));
    }
    return ratios;
  }

  /** {@code median (min–max)}. */
  private static String spread(List<Double> values) {
    return String.format("%.2f (%.2f–%.2f)", median(values), min(values), max(values));
  }

  private static double median(List<Double> values) {
    if (values.isEmpty()) {
      return 0;
    }
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Double::compare);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static double min(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
  }

  private static double max(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
  }
}
