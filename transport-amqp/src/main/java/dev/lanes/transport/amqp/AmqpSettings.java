package dev.lanes.transport.amqp;

import dev.lanes.api.ReadyFailedException;
import dev.lanes.config.SectionReader;
import dev.lanes.spi.TaskConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code amqp { ... }} block of one task, read and validated eagerly; every default lives in
 * this module's {@code reference.conf}. Derived names (queue from the task name, dead-letter
 * exchange/queue from the queue) are resolved here, once.
 *
 * @param uri the broker URI (may hold credentials: log {@link #maskedUri()} only)
 * @param exchange the exchange, or {@code ""} for the default exchange
 * @param exchangeType the exchange's type when declared ({@value #CONSISTENT_HASH} with partitions)
 * @param queue the work queue
 * @param key the binding key and publishing routing key
 * @param queueType {@code classic} or {@code quorum}, for the work and dead-letter queues
 * @param durable durable topology and persistent messages
 * @param declare declare the topology ({@code true}) or only check it exists ({@code false})
 * @param prefetch basic.qos prefetch count of the consumer
 * @param deadLetterExchange exchange dead letters are published to
 * @param deadLetterQueue queue bound to {@code deadLetterExchange} with key {@code queue}
 * @param retryDelays retry delay tiers, ascending, distinct
 * @param ackBatch handled deliveries that trigger an acknowledgement flush
 * @param ackInterval longest time a handled delivery waits for its acknowledgement to be sent
 * @param publishBuffer retries/dead letters waiting for publish and confirm at once
 * @param confirmTimeout wait for the confirms of one publish batch
 * @param flushTimeout longest wait of {@code Source.flush()}
 * @param backlogInterval period of the queue-depth poll
 * @param heartbeat requested AMQP heartbeat, zero for none
 * @param connectionTimeout connect/handshake timeout, also the channel RPC timeout
 * @param recoveryInterval pause between reconnection attempts
 * @param partitions 0: one work queue; K &gt; 0: K work queues {@code <queue>.0 … <queue>.K-1},
 *     each with a single active consumer, behind a consistent-hash exchange that hashes the {@value
 *     AmqpMessages#KEY} header
 */
record AmqpSettings(
    URI uri,
    String exchange,
    String exchangeType,
    String queue,
    String key,
    String queueType,
    boolean durable,
    boolean declare,
    int prefetch,
    String deadLetterExchange,
    String deadLetterQueue,
    List<Duration> retryDelays,
    int ackBatch,
    Duration ackInterval,
    int publishBuffer,
    Duration confirmTimeout,
    Duration flushTimeout,
    Duration backlogInterval,
    Duration heartbeat,
    Duration connectionTimeout,
    Duration recoveryInterval,
    int partitions) {

  static final String SECTION = "amqp";

  /** The exchange type of the {@code rabbitmq_consistent_hash_exchange} plugin. */
  static final String CONSISTENT_HASH = "x-consistent-hash";

  /** Most partitions a task may have. */
  static final int MAX_PARTITIONS = 1000;

  private static final Set<String> EXCHANGE_TYPES = Set.of("direct", "fanout", "topic", "headers");

  /**
   * Reads the task's {@code amqp} block.
   *
   * @throws ReadyFailedException naming the key and what was expected
   */
  static AmqpSettings of(TaskConfig task) {
    return new Reader(task).read();
  }

  /** The URI with its password replaced by {@code ***}, for logs and error messages. */
  String maskedUri() {
    return mask(uri);
  }

  /** The main settings, with {@link #maskedUri()}. */
  @Override
  public String toString() {
    return "AmqpSettings[uri="
        + maskedUri()
        + ", exchange="
        + exchange
        + ", exchangeType="
        + exchangeType
        + ", queue="
        + queue
        + ", key="
        + key
        + ", queueType="
        + queueType
        + ", prefetch="
        + prefetch
        + ", deadLetterExchange="
        + deadLetterExchange
        + ", deadLetterQueue="
        + deadLetterQueue
        + ", partitions="
        + partitions
        + "]";
  }

  /** Whether the task's messages are spread over {@link #partitions} queues. */
  boolean partitioned() {
    return partitions > 0;
  }

  /** The queues the task consumes: {@code queue}, or {@code <queue>.0 … <queue>.K-1}. */
  List<String> workQueues() {
    if (!partitioned()) {
      return List.of(queue);
    }
    List<String> queues = new ArrayList<>(partitions);
    for (int p = 0; p < partitions; p++) {
      queues.add(queue + "." + p);
    }
    return List.copyOf(queues);
  }

  static String mask(URI uri) {
    if (uri.isOpaque()) {
      return uri.getScheme() + ":***"; // "amqp:user:pw@host": no part is known not to be secret
    }
    String userInfo = uri.getRawUserInfo();
    String authority = uri.getRawAuthority();
    if (userInfo == null && authority != null && authority.contains("@")) {
      // a registry-based authority (an invalid port or host name) has no parsed user info
      userInfo = authority.substring(0, authority.lastIndexOf('@'));
    }
    if (userInfo == null) {
      return uri.toString();
    }
    int colon = userInfo.indexOf(':');
    String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
    String text = uri.toString();
    int at = text.indexOf(userInfo + "@");
    return text.substring(0, at) + user + ":***" + text.substring(at + userInfo.length());
  }

  boolean quorum() {
    return queueType.equals("quorum");
  }

  /** Whether the work queue hangs off the default exchange (no binding of our own). */
  boolean usesDefaultExchange() {
    return exchange.isEmpty();
  }

  /** Reads and checks the keys one by one, so the first bad key is the one reported. */
  private static final class Reader {
    private final SectionReader amqp;

    Reader(TaskConfig task) {
      this.amqp = SectionReader.of(task, SECTION);
    }

    AmqpSettings read() {
      URI uri = uri();
      String exchange = amqp.text("exchange");
      int partitions = amqp.integer("partitions", 0, MAX_PARTITIONS);
      String exchangeType = exchangeType(partitions > 0);
      String queue = amqp.textOrTaskName("queue");
      String key = amqp.text("key");
      if (key.isEmpty()) {
        key = queue;
      }
      if (partitions > 0 && exchange.isEmpty()) {
        throw amqp.invalid(
            "exchange",
            "an exchange name with partitions = "
                + partitions
                + " (Lanes declares it as the consistent-hash exchange of the partition queues)",
            exchange);
      }
      if (exchange.isEmpty() && !key.equals(queue)) {
        throw amqp.invalid(
            "key",
            "empty or the queue name '"
                + queue
                + "' when exchange is empty (the default exchange routes by queue name)",
            key);
      }
      String queueType = amqp.text("queueType");
      if (!queueType.equals("classic") && !queueType.equals("quorum")) {
        throw amqp.invalid("queueType", "classic or quorum", queueType);
      }
      boolean durable = amqp.bool("durable");
      if (queueType.equals("quorum") && !durable) {
        throw amqp.invalid(
            "durable", "true with queueType = quorum (quorum queues are durable)", false);
      }
      boolean declare = amqp.bool("declare");
      int prefetch = amqp.integer("prefetch", 1, 65535);
      String dlx = amqp.text("deadLetterExchange");
      String dlq = amqp.text("deadLetterQueue");
      return new AmqpSettings(
          uri,
          exchange,
          exchangeType,
          queue,
          key,
          queueType,
          durable,
          declare,
          prefetch,
          dlx.isEmpty() ? queue + ".dlx" : dlx,
          dlq.isEmpty() ? queue + ".dlq" : dlq,
          retryDelays(),
          amqp.integer("ackBatch", 1, 65535),
          amqp.positiveDuration("ackInterval"),
          amqp.integer("publishBuffer", 1, 1_000_000),
          amqp.positiveDuration("confirmTimeout"),
          amqp.positiveDuration("flushTimeout"),
          amqp.positiveDuration("backlogInterval"),
          heartbeat(),
          amqp.positiveDuration("connectionTimeout"),
          amqp.positiveDuration("recoveryInterval"),
          partitions);
    }

    private URI uri() {
      String text = amqp.text("uri");
      URI uri;
      try {
        uri = new URI(text);
      } catch (URISyntaxException e) {
        // the raw text may hold a password: report only the parser's position, not the value
        throw amqp.invalid(
            "uri",
            "an amqp:// or amqps:// URI",
            new IllegalArgumentException(
                "not a URI: " + e.getReason() + " at index " + e.getIndex()));
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
      if (!scheme.equals("amqp") && !scheme.equals("amqps") || uri.getHost() == null) {
        throw amqp.invalid(
            "uri",
            "an amqp:// or amqps:// URI with a host",
            new IllegalArgumentException("got " + mask(uri)));
      }
      return uri;
    }

    private String exchangeType(boolean partitioned) {
      String type = amqp.text("exchangeType");
      if (partitioned) {
        if (!type.equals("direct") && !type.equals(CONSISTENT_HASH)) {
          throw amqp.invalid(
              "exchangeType",
              CONSISTENT_HASH + " (or the default) with partitions: the partitions need it",
              type);
        }
        return CONSISTENT_HASH;
      }
      if (!EXCHANGE_TYPES.contains(type) && !type.startsWith("x-")) {
        throw amqp.invalid(
            "exchangeType", "direct, fanout, topic, headers or a plugin type x-...", type);
      }
      return type;
    }

    private List<Duration> retryDelays() {
      List<Duration> delays =
          amqp.get(
              "retryDelays",
              "a list of durations such as [1s, 30s, 5m]",
              c -> c.getDurationList("retryDelays"));
      if (delays.isEmpty()) {
        throw amqp.invalid("retryDelays", "at least one delay", delays);
      }
      TreeSet<Duration> sorted = new TreeSet<>();
      for (Duration delay : delays) {
        if (delay.toMillis() < 1) {
          throw amqp.invalid("retryDelays", "delays of at least 1ms", delays);
        }
        sorted.add(delay);
      }
      return List.copyOf(sorted);
    }

    private Duration heartbeat() {
      Duration value = amqp.duration("heartbeat");
      if (value.isNegative() || value.getSeconds() > 65535) {
        throw amqp.invalid("heartbeat", "a duration from 0s to 65535s", value);
      }
      return value;
    }
  }
}
