package dev.lanes.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.runtime.Transports;
import dev.lanes.spi.Publisher;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** The four transports as {@link BrokerTarget}s, each filled by a client that is not Lanes. */
final class BrokerTargets {

  /** The RDY count and prefetch the fault runs set, so the redelivery bound is known. */
  static final int WINDOW = 64;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ORDER_ID = Pattern.compile("\"order_id\":(\\d+)");

  private BrokerTargets() {}

  static BrokerTarget of(String transport, Path dir) {
    return switch (transport) {
      case "amqp" -> new Amqp(dir);
      case "kafka" -> new Kafka(dir);
      case "nsq" -> new Nsq();
      case "local" -> new Local(dir);
      default -> throw new IllegalArgumentException("no target for transport " + transport);
    };
  }

  /**
   * RabbitMQ: a direct exchange bound to a queue, filled by RabbitMQ's Java client with persistent
   * messages. The shared node on 5672, or, with {@link #on}, a node of the test's own.
   */
  record Amqp(Path dir, String address) implements BrokerTarget {

    /** The shared node. */
    Amqp(Path dir) {
      this(dir, "127.0.0.1:5672");
    }

    /** A node of the test's own. */
    static Amqp on(OwnRabbit rabbit, Path dir) {
      return new Amqp(dir, rabbit.address());
    }

    @Override
    public boolean keepsOrderAcrossCrash() {
      return true;
    }

    @Override
    public String transport() {
      return "amqp";
    }

    @Override
    public String destination(String name) {
      return "amqp { exchange = %s.x, queue = %s, key = %s, uri = \"%s\" }"
          .formatted(name, name, name, uri());
    }

    private String uri() {
      return "amqp://guest:guest@" + address;
    }

    /** Declares the topology the task file names (Lanes' publisher declares it on open). */
    @Override
    public void prepare(String name) {
      try (Publisher declaring =
          Transports.load("amqp")
              .openPublisher(
                  TaskConfigLoader.forTask(
                      "orders",
                      Map.of(
                          "transport",
                          "amqp",
                          "amqp.uri",
                          uri(),
                          "amqp.exchange",
                          name + ".x",
                          "amqp.queue",
                          name,
                          "amqp.key",
                          name)))) {
        // nothing to publish: opening declared exchange, queue and binding
      }
    }

    @Override
    public void publishMany(String name, List<String> events) throws Exception {
      ForeignClients.rabbitPublish(uri(), name + ".x", name, events);
    }

    @Override
    public String quickRedelivery() {
      return "amqp.prefetch = " + WINDOW;
    }

    @Override
    public String upstream() {
      return address;
    }

    @Override
    public String brokerAt(String address) {
      return "amqp.uri = \"amqp://guest:guest@" + address + "\"";
    }

    @Override
    public long waiting(String name) throws Exception {
      ConnectionFactory factory = new ConnectionFactory();
      factory.setUri(uri());
      try (Connection connection = factory.newConnection("it-queue-depth");
          Channel channel = connection.createChannel()) {
        return channel.queueDeclarePassive(name).getMessageCount();
      }
    }

    /** Unacked deliveries are bounded by the prefetch, whatever the lanes hold. */
    @Override
    public int redeliveryBound(int lanes, int channelLength, int perSecond) {
      return WINDOW;
    }
  }

  /**
   * Kafka: a one-partition topic filled by kcat with the order id as record key. The shared broker
   * cannot be proxied: after bootstrap the client connects to its advertised listener
   * (127.0.0.1:9092), past any proxy. A broker of the test's own ({@link #on}) advertises its
   * proxy's address, so every connection goes through that proxy.
   */
  record Kafka(Path dir, String bootstrap) implements BrokerTarget {

    /** The shared broker. */
    Kafka(Path dir) {
      this(dir, "127.0.0.1:9092");
    }

    /** A broker of the test's own, reached through its proxy. */
    static Kafka on(OwnKafka kafka, Path dir) {
      return new Kafka(dir, kafka.bootstrap());
    }

    @Override
    public boolean keepsOrderAcrossCrash() {
      return true;
    }

    @Override
    public String transport() {
      return "kafka";
    }

    @Override
    public String destination(String name) {
      return "kafka { topic = %s, group = %s, bootstrap = \"%s\" }"
          .formatted(name, name, bootstrap);
    }

    /**
     * In record batches of {@link #WINDOW} records, so that a fetch takes no more (see below), by
     * an idempotent producer: without it librdkafka retries a failed batch after later ones of the
     * same partition were written (e.g. a first batch that reached a just-created partition before
     * its leader was ready), and the topic holds a key's events out of sequence.
     */
    @Override
    public void publishMany(String name, List<String> events) throws Exception {
      List<String> keyed = events.stream().map(e -> recordKey(e) + "|" + e).toList();
      ForeignClients.kcat(
          bootstrap, name, keyed, dir, "batch.num.messages=" + WINDOW, "enable.idempotence=true");
    }

    /** Every record value of {@code topic}, partition after partition, each in offset order. */
    List<String> valuesInLogOrder(String topic) {
      Map<String, Object> config =
          Map.of(
              ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
              ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
              ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
        List<TopicPartition> partitions =
            consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .sorted(Comparator.comparingInt(TopicPartition::partition))
                .toList();
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        List<String> values = new ArrayList<>();
        for (TopicPartition partition : partitions) {
          consumer.assign(List.of(partition));
          consumer.seekToBeginning(List.of(partition));
          while (consumer.position(partition) < ends.get(partition)) {
            consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
          }
        }
        return values;
      }
    }

    /** The order id as record key; none for a payload without one. */
    private static String recordKey(String event) {
      Matcher id = ORDER_ID.matcher(event);
      return id.find() ? id.group(1) : "";
    }

    /**
     * A dead member leaves the group after 6 s (the broker's minimum), not 45 s; and a fetch takes
     * one record batch (the first is returned whatever the byte limits), so that, as with a
     * prefetch, the broker keeps what the runner has not taken and a fault mid-stream meets records
     * still to be fetched.
     */
    @Override
    public String quickRedelivery() {
      return "kafka.consumer { \"session.timeout.ms\" = 6000, \"heartbeat.interval.ms\" = 1000,"
          + " \"max.poll.records\" = "
          + WINDOW
          + ", \"fetch.max.bytes\" = 1, \"max.partition.fetch.bytes\" = 1 }";
    }

    @Override
    public String upstream() {
      return bootstrap;
    }

    /** The bootstrap address only: the client then connects to the advertised listener. */
    @Override
    public String brokerAt(String address) {
      return "kafka.bootstrap = \"" + address + "\"";
    }

    /** The topic's end offsets less what the task's group (named like the topic) committed. */
    @Override
    public long waiting(String name) throws Exception {
      try (Admin admin =
          Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, upstream()))) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(name).partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin
            .describeTopics(List.of(name))
            .allTopicNames()
            .get()
            .get(name)
            .partitions()
            .forEach(p -> latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest()));
        long waiting = 0;
        for (var end : admin.listOffsets(latest).all().get().entrySet()) {
          OffsetAndMetadata commit = committed.get(end.getKey());
          waiting += end.getValue().offset() - (commit == null ? 0 : commit.offset());
        }
        return waiting;
      }
    }

    /**
     * Uncommitted offsets: the spread the lanes' commit holds back (what they hold plus two polls)
     * and what they handle in two {@code commitInterval}s (100 ms): a fault that meets a commit in
     * flight (a kill, a cut, a broker restart or outage) loses it, and the last confirmed commit is
     * then the one before.
     */
    @Override
    public int redeliveryBound(int lanes, int channelLength, int perSecond) {
      return lanes * channelLength + 2 * WINDOW + 2 * perSecond / 10;
    }
  }

  /**
   * NSQ: nsqd's {@code /mpub}; what a dead consumer held returns after a 3 s msgTimeout. The shared
   * nsqd found through nsqlookupd, or, with {@link #direct}, an nsqd of the test's own.
   */
  record Nsq(String tcp, String http) implements BrokerTarget {

    /** The shared nsqd, through nsqlookupd. */
    Nsq() {
      this(null, "127.0.0.1:4151");
    }

    /** An nsqd of the test's own, subscribed to and published to directly. */
    static Nsq direct(OwnNsqd nsqd) {
      return new Nsq(nsqd.tcp(), nsqd.http());
    }

    @Override
    public boolean keepsOrderAcrossCrash() {
      return false;
    }

    @Override
    public String transport() {
      return "nsq";
    }

    @Override
    public String destination(String name) {
      String direct =
          tcp == null
              ? ""
              : ", nsqd = [\"%s\"], nsqdHttp = [\"%s\"], publishTo = \"%s\""
                  .formatted(tcp, http, tcp);
      return "nsq { topic = " + name + ", msgTimeout = 10s" + direct + " }";
    }

    @Override
    public void publishMany(String name, List<String> events) throws Exception {
      ForeignClients.nsqMpub(http, name, events);
    }

    @Override
    public String quickRedelivery() {
      return "nsq { maxInFlight = " + WINDOW + ", msgTimeout = 3s }";
    }

    @Override
    public int redeliveryBound(int lanes, int channelLength, int perSecond) {
      return WINDOW;
    }

    /** The topic's depth plus its channels' depth, in-flight and deferred messages. */
    @Override
    public long waiting(String name) throws Exception {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://" + http + "/stats?format=json&topic=" + name))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      long waiting = 0;
      for (JsonNode topic : JSON.readTree(response.body()).path("topics")) {
        waiting += topic.path("depth").asLong();
        for (JsonNode channel : topic.path("channels")) {
          waiting +=
              channel.path("depth").asLong()
                  + channel.path("in_flight_count").asLong()
                  + channel.path("deferred_count").asLong();
        }
      }
      return waiting;
    }

    @Override
    public String upstream() {
      return tcp == null ? "127.0.0.1:4150" : tcp;
    }

    /** Direct mode: nsqlookupd would hand out nsqd's broadcast address, past the proxy. */
    @Override
    public String brokerAt(String address) {
      return "nsq.nsqd = [\"" + address + "\"]";
    }
  }

  /**
   * The local queue, filled with {@code runner publish}: it has no client but Lanes' own. The next
   * runner takes back at once what a dead one held (one consumer per queue), in its old place.
   */
  record Local(Path dir) implements BrokerTarget {
    @Override
    public boolean keepsOrderAcrossCrash() {
      return true;
    }

    @Override
    public String transport() {
      return "local";
    }

    @Override
    public String destination(String name) {
      return "local { dataDir = \"" + dir.resolve("data") + "\", queue = " + name + " }";
    }

    @Override
    public void publishMany(String name, List<String> events) throws Exception {
      Path tasks = dir.resolve("publish.conf");
      Files.writeString(tasks, "publish { transport = local, " + destination(name) + " }\n");
      Path input = dir.resolve("publish-input.jsonl");
      Files.write(input, events.stream().map(e -> "{\"content\": " + content(e) + "}").toList());
      try (RunnerProcess publish =
          RunnerProcess.startNamed(
              dir,
              "publish",
              input,
              "publish",
              "--task",
              "publish",
              "--config",
              tasks.toString())) {
        assertThat(publish.waitFor(Duration.ofSeconds(60))).as(publish.output()).isZero();
      }
    }

    /** A JSON payload as it is; anything else as a JSON string, which is stored as its text. */
    private static String content(String payload) {
      try {
        JSON.readTree(payload);
        return payload;
      } catch (JsonProcessingException notJson) {
        return JSON.getNodeFactory().textNode(payload).toString();
      }
    }

    @Override
    public String quickRedelivery() {
      return "local { visibilityTimeout = 3s, batchSize = " + WINDOW + " }";
    }

    @Override
    public String upstream() {
      throw new UnsupportedOperationException("the local queue is a file, not a broker");
    }

    @Override
    public String brokerAt(String address) {
      throw new UnsupportedOperationException("the local queue is a file, not a broker");
    }

    @Override
    public long waiting(String name) {
      throw new UnsupportedOperationException("not needed: the local queue is never unreachable");
    }

    /** Claimed rows: what the lanes hold plus one claimed batch. */
    @Override
    public int redeliveryBound(int lanes, int channelLength, int perSecond) {
      return lanes * channelLength + WINDOW;
    }
  }
}
