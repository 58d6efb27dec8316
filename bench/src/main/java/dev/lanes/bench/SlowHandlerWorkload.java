package dev.lanes.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The key-ordered slow-handler workload of issue 15 on the real Kafka broker: one partition
 * preloaded with {@code records} records over {@code keys} keys, drained by each consumer under
 * test with a handler that sleeps {@code sleepMs}, {@code workers} at a time, alternating the
 * consumers run after run. Every run checks that the handled set is the produced set and counts
 * duplicates and per-key order violations; the rate is taken from the first handler start to the
 * last handler end (so the consumer group's join is left out), against the ideal {@code workers ×
 * 1000 / sleepMs}.
 *
 * <p>Arguments: {@code key=value} pairs overriding {@link Settings#defaults()} ({@code
 * intKeys=true} names the keys {@code 0..keys-1}, which lane routing spreads evenly, {@code value
 * mod consumerNum}, instead of {@code k0..}, which it hashes; {@code warmups=N} rounds of every
 * consumer run first, checked but not counted, so that no consumer is measured on a cold JVM), or
 * {@code tiny} for a run of seconds that only shows the harness works. Exits 1 when a run is
 * invalid.
 */
public final class SlowHandlerWorkload {

  /** One workload. */
  record Settings(
      String bootstrap,
      int records,
      int keys,
      int sleepMs,
      int workers,
      int runs,
      List<String> modes,
      boolean intKeys,
      int warmups) {

    static Settings defaults() {
      return new Settings(
          "127.0.0.1:9092",
          20_000,
          1_000,
          5,
          64,
          3,
          List.of("lane", "key", "parallel-consumer"),
          false,
          1);
    }

    static Settings tiny() {
      return new Settings(
          "127.0.0.1:9092",
          400,
          40,
          1,
          8,
          1,
          List.of("lane", "key", "parallel-consumer"),
          false,
          0);
    }

    /** The key of the {@code i}th record: {@code k<n>}, or {@code <n>} with {@code intKeys}. */
    String key(int i) {
      return (intKeys ? "" : "k") + i % keys;
    }

    double ideal() {
      return workers * 1000.0 / sleepMs;
    }
  }

  private SlowHandlerWorkload() {}

  public static void main(String[] args) throws Exception {
    Settings settings = parse(args);
    String topic = "bench-slow-" + UUID.randomUUID();
    createTopic(settings, topic);
    produce(settings, topic);
    System.out.printf(
        "slow-handler workload: %d records, %d keys, handler sleeps %d ms, %d workers, ideal %.0f"
            + " msg/s, topic %s%n%n",
        settings.records(),
        settings.keys(),
        settings.sleepMs(),
        settings.workers(),
        settings.ideal(),
        topic);
    System.out.println(
        "| run | consumer | msg/s | × ideal | handler ms | workers busy | CPU µs/msg | handled | dup"
            + " | order |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|");
    Map<String, List<Double>> rates = new HashMap<>();
    boolean allValid = true;
    for (int run = 1 - settings.warmups(); run <= settings.runs(); run++) {
      List<String> order = rotated(settings.modes(), run + settings.warmups() - 1);
      for (String mode : order) {
        Tally.Result result = runOnce(settings, topic, mode, run);
        if (run > 0) {
          rates.computeIfAbsent(mode, m -> new ArrayList<>()).add(result.rate());
        }
        allValid &= result.valid();
        System.out.printf(
            "| %s | %s | %.0f | %.2f | %.2f | %.0f %% | %.1f | %d/%d | %d | %d |%n",
            run > 0 ? Integer.toString(run) : "warm-up",
            mode,
            result.rate(),
            result.rate() / settings.ideal(),
            result.handlerMillis(),
            result.busy() * 100,
            result.cpuMicrosPerRecord(),
            result.handled(),
            result.produced(),
            result.duplicates(),
            result.orderViolations());
      }
    }
    System.out.println();
    System.out.println("| consumer | median msg/s | min | max | median × ideal |");
    System.out.println("|---|---|---|---|---|");
    for (String mode : settings.modes()) {
      List<Double> r = new ArrayList<>(rates.get(mode));
      r.sort(Double::compare);
      double median = median(r);
      System.out.printf(
          "| %s | %.0f | %.0f | %.0f | %.2f |%n",
          mode, median, r.get(0), r.get(r.size() - 1), median / settings.ideal());
    }
    if (rates.containsKey("key") && rates.containsKey("parallel-consumer")) {
      List<Double> ratios = new ArrayList<>();
      for (int i = 0; i < settings.runs(); i++) {
        ratios.add(rates.get("key").get(i) / rates.get("parallel-consumer").get(i));
      }
      ratios.sort(Double::compare);
      System.out.printf(
          "%nkey routing / Parallel Consumer, same run: median %.2f (min %.2f, max %.2f)%n",
          median(ratios), ratios.get(0), ratios.get(ratios.size() - 1));
    }
    if (!allValid) {
      System.out.println("INVALID: a run lost records or broke per-key order");
    }
    // Parallel Consumer can leave non-daemon threads (pc-broker-poll, pc-control) behind its
    // close, which would keep the JVM, and so scripts/test.sh, waiting forever
    System.exit(allValid ? 0 : 1);
  }

  private static Tally.Result runOnce(Settings settings, String topic, String mode, int run)
      throws Exception {
    Tally tally = new Tally(settings.records());
    String group = topic + "-" + mode + "-" + run;
    long cpuBefore = processCpuNanos();
    try (Consumer consumer =
        mode.equals("parallel-consumer")
            ? new ParallelConsumerRun(settings, topic, group, tally)
            : new LanesRun(settings, topic, group, mode, tally)) {
      if (!tally.awaitAll(5, TimeUnit.MINUTES)) {
        System.out.printf("%s: gave up waiting after 5 minutes%n", mode);
      }
    }
    return tally.result(mode, processCpuNanos() - cpuBefore, settings.workers());
  }

  /** A consumer under test, draining the topic into the tally from construction to close. */
  interface Consumer extends AutoCloseable {
    @Override
    void close() throws Exception;
  }

  /** The handler every consumer runs: tally the start, sleep, tally the end. */
  static void handle(Tally tally, String value, int sleepMs) throws InterruptedException {
    long start = System.nanoTime();
    tally.started(value, start);
    TimeUnit.MILLISECONDS.sleep(sleepMs);
    tally.ended(start, System.nanoTime());
  }

  private static void createTopic(Settings settings, String topic) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap()))) {
      admin
          .createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  private static void produce(Settings settings, String topic) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < settings.records(); i++) {
        String key = settings.key(i);
        producer.send(new ProducerRecord<>(topic, key, key + ":" + i / settings.keys()));
      }
      producer.flush();
    }
  }

  private static List<String> rotated(List<String> modes, int by) {
    List<String> order = new ArrayList<>();
    for (int i = 0; i < modes.size(); i++) {
      order.add(modes.get((i + by) % modes.size()));
    }
    return order;
  }

  private static double median(List<Double> sorted) {
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static long processCpuNanos() {
    return ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class)
        .getProcessCpuTime();
  }

  private static Settings parse(String[] args) {
    BenchArgs parsed = BenchArgs.parse(args, SETTINGS);
    Settings d = parsed.tiny() ? Settings.tiny() : Settings.defaults();
    Map<String, String> given = parsed.given();
    return new Settings(
        given.getOrDefault("bootstrap", d.bootstrap()),
        intOr(given, "records", d.records()),
        intOr(given, "keys", d.keys()),
        intOr(given, "sleepMs", d.sleepMs()),
        intOr(given, "workers", d.workers()),
        intOr(given, "runs", d.runs()),
        given.containsKey("modes") ? List.of(given.get("modes").split(",")) : d.modes(),
        given.containsKey("intKeys") ? Boolean.parseBoolean(given.get("intKeys")) : d.intKeys(),
        intOr(given, "warmups", d.warmups()));
  }

  private static final List<String> SETTINGS =
      List.of(
          "bootstrap",
          "records",
          "keys",
          "sleepMs",
          "workers",
          "runs",
          "modes",
          "intKeys",
          "warmups");

  private static int intOr(Map<String, String> given, String key, int otherwise) {
    return given.containsKey(key) ? Integer.parseInt(given.get(key)) : otherwise;
  }
}
