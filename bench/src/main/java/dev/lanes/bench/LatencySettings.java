package dev.lanes.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One latency workload, from {@code key=value} arguments over {@link #defaults()}.
 *
 * @param transports which of {@link #ALL} to measure, in order ({@code transport=all|local|...})
 * @param rate messages per second; 0 = half of the measured no-op drain maximum
 * @param seconds measured seconds per run, after {@code warmup} seconds whose messages are only
 *     checked
 * @param runs runs per consumer, Lanes and the raw client alternating
 * @param keys distinct keys, integers {@code 0..keys-1}
 * @param consumerNum Lanes' lanes
 * @param routing Lanes' routing mode, {@code lane} or {@code key}
 * @param maxRecords the backlog of each of the two no-op drains that find the maximum
 */
record LatencySettings(
    List<String> transports,
    double rate,
    int seconds,
    int warmup,
    int runs,
    int keys,
    int consumerNum,
    String routing,
    int maxRecords,
    String bootstrap,
    String amqpUri,
    String nsqd,
    String nsqdHttp,
    String lookupd) {

  static final List<String> ALL = List.of("local", "amqp", "kafka", "nsq");

  private static final List<String> KEYS =
      List.of(
          "transport",
          "rate",
          "seconds",
          "warmup",
          "runs",
          "keys",
          "consumerNum",
          "routing",
          "maxRecords",
          "bootstrap",
          "amqpUri",
          "nsqd",
          "nsqdHttp",
          "lookupd");

  static LatencySettings defaults() {
    return new LatencySettings(
        ALL,
        0,
        10,
        5,
        3,
        1000,
        4,
        "lane",
        100_000,
        "127.0.0.1:9092",
        "amqp://guest:guest@127.0.0.1:5672",
        "127.0.0.1:4150",
        "127.0.0.1:4151",
        "127.0.0.1:4161");
  }

  /**
   * Seconds in all, only to show the harness works: the local queue and RabbitMQ (the two that
   * start fastest), a fixed low rate, one second per consumer without warm-up, no maximum to find.
   */
  static LatencySettings tiny() {
    LatencySettings d = defaults();
    return new LatencySettings(
        List.of("local", "amqp"),
        200,
        1,
        0,
        1,
        20,
        4,
        "lane",
        0,
        d.bootstrap(),
        d.amqpUri(),
        d.nsqd(),
        d.nsqdHttp(),
        d.lookupd());
  }

  static LatencySettings parse(String[] args) {
    BenchArgs parsed = BenchArgs.parse(args, KEYS);
    LatencySettings d = parsed.tiny() ? tiny() : defaults();
    Map<String, String> given = parsed.given();
    String transport = given.getOrDefault("transport", "all");
    List<String> transports =
        transport.equals("all") ? d.transports() : Arrays.asList(transport.split(","));
    for (String t : transports) {
      if (!ALL.contains(t)) {
        throw new IllegalArgumentException("transport: all or some of " + ALL + ", got " + t);
      }
    }
    return new LatencySettings(
        transports,
        given.containsKey("rate") ? Double.parseDouble(given.get("rate")) : d.rate(),
        intOr(given, "seconds", d.seconds()),
        intOr(given, "warmup", d.warmup()),
        intOr(given, "runs", d.runs()),
        intOr(given, "keys", d.keys()),
        intOr(given, "consumerNum", d.consumerNum()),
        given.getOrDefault("routing", d.routing()),
        intOr(given, "maxRecords", d.maxRecords()),
        given.getOrDefault("bootstrap", d.bootstrap()),
        given.getOrDefault("amqpUri", d.amqpUri()),
        given.getOrDefault("nsqd", d.nsqd()),
        given.getOrDefault("nsqdHttp", d.nsqdHttp()),
        given.getOrDefault("lookupd", d.lookupd()));
  }

  private static int intOr(Map<String, String> given, String key, int otherwise) {
    return given.containsKey(key) ? Integer.parseInt(given.get(key)) : otherwise;
  }
}
