package dev.lanes.bench;

import dev.lanes.api.Outcome;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.runtime.TaskRuntime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The latency Lanes adds (issue 15, goal 4), per transport. A paced producer sends keyed messages
 * at a fixed rate, by default half of the transport's maximum no-op drain rate (measured first:
 * Lanes draining a preloaded backlog with a handler that only acks, best of two); each message
 * carries the time it was due to be sent. Lanes with that handler and the transport's raw client
 * consume alternately, run after run, each from a fresh destination, and record {@code handler
 * start − due time} in an HdrHistogram, leaving out the messages due in the first {@code warmup}
 * seconds of each run. Added latency = Lanes − raw client, at each percentile, in the same run.
 *
 * <p>Arguments: {@code key=value} pairs overriding {@link LatencySettings#defaults()}, e.g. {@code
 * transport=kafka rate=20000 runs=5}, or {@code tiny} for a run of seconds that only shows the
 * harness works. Every run checks that each message was handled exactly once and, where the broker
 * promises it, in order per key; exits 1 when a run is not.
 */
public final class LatencyWorkload {

  static final double[] PERCENTILES = {50, 90, 99, 99.9};

  /**
   * One run of one consumer; {@code laneWait} is Lanes' own measure of its measured part (receipt
   * to handler call), {@code null} for the raw client.
   */
  record Run(
      String consumer,
      Histogram latencies,
      Tally.Result tally,
      boolean complete,
      LaneWaitBuckets.Window laneWait) {
    boolean valid(boolean ordered) {
      return complete
          && tally.handled() == tally.produced()
          && tally.duplicates() == 0
          && (!ordered || tally.orderViolations() == 0);
    }
  }

  private LatencyWorkload() {}

  public static void main(String[] args) throws Exception {
    LatencySettings settings = LatencySettings.parse(args);
    boolean valid = true;
    List<LatencyReport> reports = new ArrayList<>();
    for (String name : settings.transports()) {
      try (LatencyTransport transport = open(name, settings)) {
        LatencyReport report = measure(transport, settings);
        reports.add(report);
        valid &= report.valid();
      }
    }
    LatencyReport.printSummary(reports);
    LatencyReport.printLaneWait(reports);
    if (!valid) {
      System.out.println("INVALID: a run lost or duplicated a message or broke per-key order");
    }
    // client libraries may leave non-daemon threads behind their close
    System.exit(valid ? 0 : 1);
  }

  private static LatencyTransport open(String name, LatencySettings s) throws Exception {
    return switch (name) {
      case "local" -> new LocalLatency();
      case "amqp" -> new AmqpLatency(s.amqpUri());
      case "kafka" -> new KafkaLatency(s.bootstrap());
      case "nsq" -> new NsqLatency(s.nsqd(), s.nsqdHttp(), s.lookupd(), s.consumerNum());
      default ->
          throw new IllegalArgumentException(
              "transport: one of " + LatencySettings.ALL + " or all");
    };
  }

  private static LatencyReport measure(LatencyTransport transport, LatencySettings s)
      throws Exception {
    double max = 0;
    double rate = s.rate();
    if (rate <= 0) {
      for (int i = 0; i < 2; i++) {
        max = Math.max(max, maxDrain(transport, s));
      }
      rate = Math.floor(max / 2);
    }
    LatencyReport report = new LatencyReport(transport, s, rate, max);
    report.printHeader();
    List<String> consumers = List.of("lanes", "raw");
    for (int run = 1; run <= s.runs(); run++) {
      for (int i = 0; i < consumers.size(); i++) {
        String consumer = consumers.get((i + run - 1) % consumers.size());
        report.add(run, runOnce(transport, s, consumer, rate));
      }
    }
    return report;
  }

  /** Lanes draining a preloaded backlog with a handler that only acks: msg/s. */
  private static double maxDrain(LatencyTransport transport, LatencySettings s) throws Exception {
    String destination = transport.newDestination();
    LatencyProbe probe = new LatencyProbe(s.maxRecords());
    try (PacedProducer.Sender sender = transport.sender(destination)) {
      PacedProducer.preload(sender, s.maxRecords(), s.keys());
    }
    try (AutoCloseable lanes =
        startLanes(transport, s, destination, probe, new LaneWaitBuckets())) {
      if (!probe.awaitAll(5, TimeUnit.MINUTES)) {
        throw new IllegalStateException(transport.name() + ": the drain did not end in 5 minutes");
      }
    }
    Tally.Result result = probe.result("lanes", s.consumerNum());
    System.out.printf(
        "%s: no-op drain of %,d messages by Lanes: %,.0f msg/s%n",
        transport.name(), s.maxRecords(), result.rate());
    return result.rate();
  }

  private static Run runOnce(
      LatencyTransport transport, LatencySettings s, String consumer, double rate)
      throws Exception {
    String destination = transport.newDestination();
    int records = (int) Math.round(rate * (s.warmup() + s.seconds()));
    LatencyProbe probe = new LatencyProbe(records);
    LaneWaitBuckets laneWait = new LaneWaitBuckets();
    boolean lanes = consumer.equals("lanes");
    boolean complete;
    LaneWaitBuckets.Window measuredWaits;
    try (AutoCloseable running =
            lanes
                ? startLanes(transport, s, destination, probe, laneWait)
                : transport.startRaw(destination, probe);
        PacedProducer.Sender sender = transport.sender(destination)) {
      long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
      long measureFrom = start + TimeUnit.SECONDS.toNanos(s.warmup());
      probe.measureFrom(measureFrom);
      Thread marker = markAt(measureFrom, laneWait);
      PacedProducer.run(sender, records, s.keys(), rate, start);
      complete = probe.awaitAll(60, TimeUnit.SECONDS);
      marker.join();
      measuredWaits = lanes ? laneWait.sinceMark() : null; // before the stop removes the timer
    }
    return new Run(
        consumer,
        probe.latencies(),
        probe.result(consumer, s.consumerNum()),
        complete,
        measuredWaits);
  }

  /** Marks the start of the measured part of {@code laneWait} at {@code nanoTime}. */
  private static Thread markAt(long nanoTime, LaneWaitBuckets laneWait) {
    Thread marker =
        new Thread(
            () -> {
              long left;
              while ((left = nanoTime - System.nanoTime()) > 0) {
                LockSupport.parkNanos(left);
              }
              laneWait.mark();
            },
            "lane-wait-mark");
    marker.setDaemon(true);
    marker.start();
    return marker;
  }

  private static AutoCloseable startLanes(
      LatencyTransport transport,
      LatencySettings s,
      String destination,
      LatencyProbe probe,
      LaneWaitBuckets laneWait) {
    Map<String, Object> config = new LinkedHashMap<>(transport.lanesConfig(destination));
    config.put("consumerNum", s.consumerNum());
    config.put("deliverBy", "order_id");
    config.put("routing", s.routing());
    TaskRuntime runtime =
        TaskRuntime.create(
            TaskConfigLoader.forTask("latency_" + transport.name(), new HashMap<>(config)),
            transport.transport(),
            message -> {
              probe.received(message.payload());
              return Outcome.ack();
            },
            laneWait.registry());
    runtime.start();
    return runtime::stop;
  }
}
