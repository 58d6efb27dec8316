package dev.lanes.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Issue 15, goal 1 on the real brokers: a no-op drain of a preloaded backlog, Lanes against the
 * broker's official client with the same acknowledgement semantics, alternating the two run after
 * run in one JVM (the order flips every round, so neither always runs first). Each run drains a
 * fresh topic or queue (unique name, deleted afterwards) with a handler that only counts the
 * record; every run checks that the handled set is the produced set and counts duplicates and
 * per-key order violations, which fail the run where the broker promises order (Kafka's single
 * partition, RabbitMQ's single queue; not NSQ). Prints every run, then per broker the median, min
 * and max of msg/s and CPU µs per message and the ratio Lanes / raw of each round, and last one
 * table-ready line per broker.
 *
 * <p>Arguments: {@code key=value} pairs of {@link DrainSettings} ({@code broker=kafka,amqp|all}),
 * or {@code tiny} first. Exits 1 when any run is invalid or fails.
 */
public final class BrokerDrainWorkload {

  private final DrainSettings settings;
  private final DrainBroker broker;
  private final int records;

  private BrokerDrainWorkload(DrainSettings settings, DrainBroker broker) {
    this.settings = settings;
    this.broker = broker;
    this.records = settings.recordsOn(broker);
  }

  public static void main(String[] args) {
    boolean valid = true;
    try {
      DrainSettings settings = DrainSettings.parse(args);
      List<String> lines = new ArrayList<>();
      for (String name : settings.brokers()) {
        BrokerDrainWorkload workload = new BrokerDrainWorkload(settings, broker(name, settings));
        DrainSummary summary = workload.run();
        valid &= summary.valid();
        lines.add(summary.line());
      }
      System.out.println();
      System.out.println(DrainSummary.HEADER);
      lines.forEach(System.out::println);
      if (!valid) {
        System.out.println("INVALID: a run lost records, handled a foreign one or broke order");
      }
    } catch (Exception e) {
      e.printStackTrace();
      valid = false;
    }
    // the clients' non-daemon threads must not keep the JVM (and scripts/test.sh) waiting
    System.exit(valid ? 0 : 1);
  }

  private static DrainBroker broker(String name, DrainSettings settings) {
    return switch (name) {
      case "kafka" -> new KafkaDrain(settings);
      case "amqp" -> new AmqpDrain(settings);
      case "nsq" -> new NsqDrain(settings);
      default -> throw new IllegalArgumentException("unknown broker " + name);
    };
  }

  private DrainSummary run() throws Exception {
    System.out.printf(
        "%n%s: no-op drain of %,d records of %d B over %d keys; Lanes consumerNum %d; %d rounds"
            + " after %d warm-up%n%n",
        broker.name(),
        records,
        settings.size(),
        settings.keys(),
        settings.lanes(),
        settings.runs(),
        settings.warmups());
    System.out.println(
        "| run | consumer | msg/s | CPU µs/msg | drain s | handled | dup | order | foreign |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    String session = UUID.randomUUID().toString().substring(0, 8);
    DrainSummary summary = new DrainSummary(broker.name(), records);
    for (int run = 1 - settings.warmups(); run <= settings.runs(); run++) {
      boolean lanesFirst = (run + settings.warmups()) % 2 == 1;
      for (String consumer : lanesFirst ? List.of("lanes", "raw") : List.of("raw", "lanes")) {
        String label = run > 0 ? Integer.toString(run) : "warm-up";
        DrainTally.Result result = runOnce(session + "-" + label + "-" + consumer, consumer);
        boolean valid = result.valid(broker.ordered());
        System.out.printf(
            "| %s | %s | %,.0f | %.2f | %.2f | %d/%d | %d | %d | %d |%s%n",
            label,
            consumer,
            result.rate(),
            result.cpuMicrosPerRecord(),
            result.seconds(),
            result.handled(),
            result.produced(),
            result.duplicates(),
            result.orderViolations(),
            result.foreign(),
            valid ? "" : " INVALID");
        summary.add(run > 0, consumer.equals("lanes"), result, valid);
      }
    }
    summary.printDetail(System.out);
    return summary;
  }

  private DrainTally.Result runOnce(String unique, String consumer) throws Exception {
    String destination = broker.destination(unique);
    DrainTally tally = new DrainTally(records, settings.keys());
    try {
      broker.preload(destination, records);
      try (AutoCloseable c =
          consumer.equals("lanes")
              ? broker.lanes(destination, tally)
              : broker.raw(destination, tally)) {
        long timeoutSeconds = 60 + records / 10_000;
        if (!tally.awaitAll(timeoutSeconds, TimeUnit.SECONDS)) {
          System.out.printf("%s: gave up waiting after %d s%n", consumer, timeoutSeconds);
        }
      }
    } finally {
      broker.delete(destination);
    }
    return tally.result();
  }
}
