package dev.lanes.bench;

import java.util.List;
import java.util.Map;

/**
 * One run of {@link BrokerDrainWorkload}, from {@code key=value} arguments over {@link
 * #defaults()}, or {@code tiny} first for a run of seconds.
 *
 * @param brokers the brokers to drain on, in order: {@code kafka}, {@code amqp}, {@code nsq}
 * @param records records per backlog; 0 takes each broker's own default
 * @param keys distinct keys, the records spread round-robin over them
 * @param size bytes per record value
 * @param lanes Lanes' {@code consumerNum}; also the handler threads of the raw nsq-j consumer
 * @param runs measured rounds; each round drains a fresh backlog with each consumer
 * @param warmups rounds run first, checked but not counted
 * @param prefetch RabbitMQ {@code basic.qos} of both consumers ({@code amqp.prefetch})
 * @param ackBatch RabbitMQ: deliveries per {@code basic.ack(multiple=true)} ({@code amqp.ackBatch})
 * @param maxInFlight NSQ RDY count of both consumers ({@code nsq.maxInFlight})
 * @param bootstrap Kafka bootstrap servers
 * @param amqpUri RabbitMQ URI
 * @param nsqdHttp nsqd's HTTP address, for creating, filling and deleting topics
 * @param lookupd nsqlookupd's HTTP address, where both NSQ consumers find nsqd
 */
record DrainSettings(
    List<String> brokers,
    int records,
    int keys,
    int size,
    int lanes,
    int runs,
    int warmups,
    int prefetch,
    int ackBatch,
    int maxInFlight,
    String bootstrap,
    String amqpUri,
    String nsqdHttp,
    String lookupd) {

  static final List<String> ALL_BROKERS = List.of("kafka", "amqp", "nsq");

  private static final List<String> KEYS =
      List.of(
          "broker",
          "records",
          "keys",
          "size",
          "lanes",
          "runs",
          "warmups",
          "prefetch",
          "ackBatch",
          "maxInFlight",
          "bootstrap",
          "amqpUri",
          "nsqdHttp",
          "lookupd");

  static DrainSettings defaults() {
    return new DrainSettings(
        ALL_BROKERS,
        0,
        1_000,
        100,
        4,
        5,
        1,
        256,
        64,
        2_500,
        "127.0.0.1:9092",
        "amqp://guest:guest@127.0.0.1:5672",
        "127.0.0.1:4151",
        "127.0.0.1:4161");
  }

  /** A few thousand records per broker, one round, no warm-up: only shows the harness works. */
  static DrainSettings tiny() {
    DrainSettings d = defaults();
    return new DrainSettings(
        d.brokers,
        3_000,
        100,
        d.size,
        d.lanes,
        1,
        0,
        d.prefetch,
        d.ackBatch,
        d.maxInFlight,
        d.bootstrap,
        d.amqpUri,
        d.nsqdHttp,
        d.lookupd);
  }

  /** The backlog size on {@code broker}: {@link #records}, else the broker's default. */
  int recordsOn(DrainBroker broker) {
    return records > 0 ? records : broker.defaultRecords();
  }

  /**
   * @throws IllegalArgumentException naming the argument that is neither {@code tiny} nor a known
   *     {@code key=value}
   */
  static DrainSettings parse(String[] args) {
    BenchArgs parsed = BenchArgs.parse(args, KEYS);
    DrainSettings d = parsed.tiny() ? tiny() : defaults();
    Map<String, String> given = parsed.given();
    List<String> brokers = d.brokers;
    String broker = given.getOrDefault("broker", "all");
    if (!broker.equals("all")) {
      brokers = List.of(broker.split(","));
      for (String b : brokers) {
        if (!ALL_BROKERS.contains(b)) {
          throw new IllegalArgumentException(
              "broker=" + broker + ": expected all or a list of " + ALL_BROKERS);
        }
      }
    }
    return new DrainSettings(
        brokers,
        intOr(given, "records", d.records),
        intOr(given, "keys", d.keys),
        intOr(given, "size", d.size),
        intOr(given, "lanes", d.lanes),
        intOr(given, "runs", d.runs),
        intOr(given, "warmups", d.warmups),
        intOr(given, "prefetch", d.prefetch),
        intOr(given, "ackBatch", d.ackBatch),
        intOr(given, "maxInFlight", d.maxInFlight),
        given.getOrDefault("bootstrap", d.bootstrap),
        given.getOrDefault("amqpUri", d.amqpUri),
        given.getOrDefault("nsqdHttp", d.nsqdHttp),
        given.getOrDefault("lookupd", d.lookupd));
  }

  private static int intOr(Map<String, String> given, String key, int otherwise) {
    return given.containsKey(key) ? Integer.parseInt(given.get(key)) : otherwise;
  }
}
