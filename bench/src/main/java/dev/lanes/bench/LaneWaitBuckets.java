package dev.lanes.bench;

import dev.lanes.metrics.TaskMetrics;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Lanes' own measure of the latency it adds, read from its {@code lanes.lane.wait.duration} timer:
 * from the moment the source received a message to its handler call. A meter filter gives the timer
 * fixed bounds, so the counts at each bound are exact (not estimated), 1 ms among them; the counts
 * between {@link #mark()} and {@link #sinceMark()} are a run's measured part.
 */
final class LaneWaitBuckets {

  /** Bucket bounds in microseconds. */
  static final long[] BOUNDS_MICROS = {
    10,
    25,
    50,
    100,
    250,
    500,
    750,
    1_000,
    2_000,
    5_000,
    10_000,
    25_000,
    50_000,
    100_000,
    250_000,
    1_000_000,
    10_000_000
  };

  private static final long GOAL_MICROS = 1_000;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private volatile long[] marked;

  LaneWaitBuckets() {
    double[] nanos = new double[BOUNDS_MICROS.length];
    for (int i = 0; i < nanos.length; i++) {
      nanos[i] = TimeUnit.MICROSECONDS.toNanos(BOUNDS_MICROS[i]);
    }
    registry
        .config()
        .meterFilter(
            new MeterFilter() {
              @Override
              public DistributionStatisticConfig configure(
                  Meter.Id id, DistributionStatisticConfig config) {
                if (!id.getName().equals(TaskMetrics.LANE_WAIT)) {
                  return config;
                }
                return DistributionStatisticConfig.builder()
                    .serviceLevelObjectives(nanos)
                    .build()
                    .merge(config);
              }
            });
  }

  /** The registry to hand the task's runtime. */
  MeterRegistry registry() {
    return registry;
  }

  /** Remembers the counts now: the start of the measured part. */
  void mark() {
    marked = counts();
  }

  /** The waits recorded since {@link #mark()} (all of them when it was not called). */
  Window sinceMark() {
    long[] now = counts();
    long[] before = marked == null ? new long[now.length] : marked;
    long[] window = new long[now.length];
    for (int i = 0; i < now.length; i++) {
      window[i] = now[i] - before[i];
    }
    return new Window(window);
  }

  /** Cumulative counts at each bound, then the total, as the timer holds them now. */
  private long[] counts() {
    long[] counts = new long[BOUNDS_MICROS.length + 1];
    Timer timer = registry.find(TaskMetrics.LANE_WAIT).timer();
    if (timer == null) {
      return counts;
    }
    CountAtBucket[] buckets = timer.takeSnapshot().histogramCounts();
    for (int i = 0; i < BOUNDS_MICROS.length; i++) {
      for (CountAtBucket bucket : buckets) {
        if (Math.round(bucket.bucket(TimeUnit.MICROSECONDS)) == BOUNDS_MICROS[i]) {
          counts[i] = (long) bucket.count();
        }
      }
    }
    counts[BOUNDS_MICROS.length] = timer.count();
    return counts;
  }

  /**
   * Waits of one period: {@code cumulative[i]} is how many took at most {@code BOUNDS_MICROS[i]},
   * the last element how many there were.
   */
  record Window(long[] cumulative) {

    static Window pooled(List<Window> windows) {
      long[] sum = new long[BOUNDS_MICROS.length + 1];
      for (Window w : windows) {
        for (int i = 0; i < sum.length; i++) {
          sum[i] += w.cumulative[i];
        }
      }
      return new Window(sum);
    }

    long count() {
      return cumulative[BOUNDS_MICROS.length];
    }

    /** The share of waits of at most 1 ms (issue 15's goal 4 asks 99 % or more). */
    double shareWithinGoal() {
      for (int i = 0; i < BOUNDS_MICROS.length; i++) {
        if (BOUNDS_MICROS[i] == GOAL_MICROS) {
          return count() == 0 ? 0 : (double) cumulative[i] / count();
        }
      }
      throw new IllegalStateException("no 1 ms bound");
    }

    boolean meetsGoal() {
      return count() > 0 && shareWithinGoal() >= 0.99;
    }

    /** The smallest bound the {@code percentile}-th wait is within, e.g. {@code ≤ 250}. */
    String percentileBound(double percentile) {
      if (count() == 0) {
        return "–";
      }
      long needed = (long) Math.ceil(count() * percentile / 100);
      for (int i = 0; i < BOUNDS_MICROS.length; i++) {
        if (cumulative[i] >= needed) {
          return String.format("≤ %,d", BOUNDS_MICROS[i]);
        }
      }
      return String.format("> %,d", BOUNDS_MICROS[BOUNDS_MICROS.length - 1]);
    }

    /** p50, p99, p99.9 bounds and the share within 1 ms, as table cells. */
    String cells() {
      return String.format(
          "%,d | %s | %s | %s | %.2f %%",
          count(),
          percentileBound(50),
          percentileBound(99),
          percentileBound(99.9),
          100 * shareWithinGoal());
    }
  }
}
