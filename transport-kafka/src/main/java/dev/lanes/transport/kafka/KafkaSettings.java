package dev.lanes.transport.kafka;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.lanes.config.SectionReader;
import dev.lanes.spi.TaskConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code kafka { ... }} block of one task, read and validated eagerly (defaults in this
 * module's {@code reference.conf}). Immutable.
 *
 * @param task the task's name, used in thread names and errors
 * @param bootstrap {@code bootstrap.servers}
 * @param topics the topics consumed, in config order; the publisher writes to the first
 * @param group the consumer group of the task's topics (the retry topics' is {@code <group>.retry})
 * @param retryTopic the configured retry topic, or empty for {@code <topic>.<group>.retry}
 * @param deadLetterTopic the configured dead-letter topic, or empty for {@code <topic>.DLT}
 * @param createTopics whether start creates missing retry and dead-letter topics
 * @param retryHoldMax retry records held in memory before the retry topic is paused
 * @param commitInterval period of asynchronous commits
 * @param commitTimeout deadline of a synchronous commit
 * @param revokeTimeout how long a revoked partition's in-flight records may still finish
 * @param connectTimeout how long start waits for the broker and the first assignment
 * @param clientMetrics whether the source's Kafka clients report their own metrics on the task's
 *     meters ({@link ClientMetrics})
 * @param client properties for every client
 * @param consumer properties for the consumer, over {@code client}
 * @param producer properties for the producer, over {@code client}
 */
record KafkaSettings(
    String task,
    String bootstrap,
    List<String> topics,
    String group,
    String retryTopic,
    String deadLetterTopic,
    boolean createTopics,
    int retryHoldMax,
    Duration commitInterval,
    Duration commitTimeout,
    Duration revokeTimeout,
    Duration connectTimeout,
    boolean clientMetrics,
    Map<String, String> client,
    Map<String, String> consumer,
    Map<String, String> producer) {

  private static final Logger log = LoggerFactory.getLogger(KafkaSettings.class);

  /** The name of the task's config block. */
  static final String SECTION = "kafka";

  /** Suffix of the default retry topic. */
  static final String RETRY_SUFFIX = ".retry";

  /** Suffix of the default dead-letter topic. */
  static final String DEAD_LETTER_SUFFIX = ".DLT";

  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  /** Client properties Lanes sets itself; a pass-through block must not set them. */
  private static final Set<String> OWNED =
      Set.of(
          "bootstrap.servers",
          ConsumerConfig.GROUP_ID_CONFIG,
          ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
          ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
          ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
          ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);

  KafkaSettings {
    topics = List.copyOf(topics);
    client = Map.copyOf(client);
    consumer = Map.copyOf(consumer);
    producer = Map.copyOf(producer);
  }

  /**
   * The settings with the names of the pass-through properties only: their values may be secret.
   */
  @Override
  public String toString() {
    return "KafkaSettings[task="
        + task
        + ", bootstrap="
        + bootstrap
        + ", topics="
        + topics
        + ", group="
        + group
        + ", retryTopic="
        + retryTopic
        + ", deadLetterTopic="
        + deadLetterTopic
        + ", client="
        + new TreeSet<>(client.keySet())
        + ", consumer="
        + new TreeSet<>(consumer.keySet())
        + ", producer="
        + new TreeSet<>(producer.keySet())
        + "]";
  }

  /**
   * Reads and validates {@code task}'s {@code kafka} block.
   *
   * @throws dev.lanes.api.ReadyFailedException naming the key and what was expected
   */
  static KafkaSettings read(TaskConfig task) {
    return new Reader(task).read();
  }

  /**
   * The retry topic of records first consumed from {@code topic}: one per group by default, so that
   * several groups on one topic (fan-out) never handle each other's retries.
   */
  String retryTopicFor(String topic) {
    return retryTopic.isEmpty() ? topic + "." + group + RETRY_SUFFIX : retryTopic;
  }

  /** The dead-letter topic of records first consumed from {@code topic}. */
  String deadLetterTopicFor(String topic) {
    return deadLetterTopic.isEmpty() ? topic + DEAD_LETTER_SUFFIX : deadLetterTopic;
  }

  /** Every retry topic of this task, without duplicates. */
  Set<String> retryTopics() {
    return topics.stream()
        .map(this::retryTopicFor)
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }

  /** Every dead-letter topic of this task, without duplicates. */
  Set<String> deadLetterTopics() {
    return topics.stream()
        .map(this::deadLetterTopicFor)
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }

  /** The consumer group of the retry topics' consumer: {@code <group>.retry}. */
  String retryGroup() {
    return group + RETRY_SUFFIX;
  }

  /** Properties of a consumer of the task in {@code groupId}. */
  Map<String, Object> consumerProperties(String groupId) {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.putAll(client);
    props.putAll(consumer);
    Object protocol = props.getOrDefault(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
    if ("classic".equalsIgnoreCase(protocol.toString())) {
      // KIP-848's protocol assigns on the broker and refuses a client-side assignor
      props.putIfAbsent(
          ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
          CooperativeStickyAssignor.class.getName());
    }
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return props;
  }

  /** Properties of the task's producers (publisher, retry and dead-letter records). */
  Map<String, Object> producerProperties() {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(connectTimeout.toMillis()));
    props.putAll(client);
    props.putAll(producer);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return props;
  }

  /** Properties of the task's admin client (topic checks, lag). */
  Map<String, Object> adminProperties() {
    Map<String, Object> props = new LinkedHashMap<>(client);
    props.put("bootstrap.servers", bootstrap);
    return props;
  }

  /** Reads one task's block; every failure names the key. */
  private static final class Reader {
    private final TaskConfig task;
    private final SectionReader kafka;

    Reader(TaskConfig task) {
      this.task = task;
      this.kafka = SectionReader.of(task, SECTION);
    }

    KafkaSettings read() {
      String bootstrap = kafka.text("bootstrap");
      if (bootstrap.isEmpty()) {
        throw kafka.invalid("bootstrap", "a comma-separated list of host:port");
      }
      List<String> topics = topics();
      String retryTopic = optionalTopic("retryTopic");
      String deadLetterTopic = optionalTopic("deadLetterTopic");
      String group = kafka.textOrTaskName("group");
      KafkaSettings settings =
          new KafkaSettings(
              task.name(),
              bootstrap,
              topics,
              group,
              retryTopic,
              deadLetterTopic,
              kafka.bool("createTopics"),
              kafka.atLeast("retryHoldMax", 1),
              kafka.positiveDuration("commitInterval"),
              kafka.positiveDuration("commitTimeout"),
              kafka.positiveDuration("revokeTimeout"),
              kafka.positiveDuration("connectTimeout"),
              kafka.bool("clientMetrics"),
              properties("client"),
              properties("consumer"),
              properties("producer"));
      for (String retry : settings.retryTopics()) {
        if (!TOPIC.matcher(retry).matches()) {
          throw kafka.invalid(
              "retryTopic",
              "a retry topic name: the default <topic>.<group>.retry"
                  + " gives '"
                  + retry
                  + "', not a legal Kafka topic name (at most 249 of a-z A-Z 0-9 . _ -)");
        }
      }
      for (String topic : topics) {
        if (settings.retryTopics().contains(topic) || settings.deadLetterTopics().contains(topic)) {
          throw kafka.invalid("topic", "topics other than the task's retry and dead-letter topics");
        }
      }
      Map<String, Object> consumer =
          validate("consumer", ConsumerConfig.configDef(), settings.consumerProperties(group));
      Duration maxPollInterval =
          Duration.ofMillis((Integer) consumer.get(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG));
      if (settings.revokeTimeout().plus(settings.commitTimeout()).compareTo(maxPollInterval) >= 0) {
        throw kafka.invalid(
            "revokeTimeout",
            "revokeTimeout + commitTimeout below the"
                + " consumer's max.poll.interval.ms ("
                + maxPollInterval
                + "): a revoke runs inside"
                + " poll");
      }
      validate("producer", ProducerConfig.configDef(), settings.producerProperties());
      validate("client", AdminClientConfig.configDef(), settings.adminProperties());
      warnUnknown(
          "client",
          settings.client(),
          ConsumerConfig.configDef(),
          ProducerConfig.configDef(),
          AdminClientConfig.configDef());
      warnUnknown("consumer", settings.consumer(), ConsumerConfig.configDef());
      warnUnknown("producer", settings.producer(), ProducerConfig.configDef());
      return settings;
    }

    /** Kafka's own checks of types and allowed values, without creating a client. */
    private Map<String, Object> validate(
        String block, ConfigDef definition, Map<String, Object> properties) {
      try {
        return definition.parse(properties);
      } catch (org.apache.kafka.common.config.ConfigException e) {
        throw kafka.invalid(block, "valid Kafka client properties", e);
      }
    }

    private void warnUnknown(String block, Map<String, String> properties, ConfigDef... known) {
      for (String property : properties.keySet()) {
        boolean isKnown = false;
        for (ConfigDef definition : known) {
          isKnown |= definition.names().contains(property);
        }
        if (!isKnown) {
          log.warn(
              "{}: task '{}': {}.{} is not a property the Kafka client knows; it is passed on"
                  + " but probably ignored",
              task.origin(),
              task.name(),
              key(block),
              property);
        }
      }
    }

    private List<String> topics() {
      List<String> topics = new ArrayList<>();
      for (String part : kafka.textOrTaskName("topic").split(",")) {
        String topic = part.trim();
        if (!TOPIC.matcher(topic).matches()) {
          throw kafka.invalid(
              "topic",
              "comma-separated topic names of 1-249 characters from [a-zA-Z0-9._-]",
              topic);
        }
        if (!topics.contains(topic)) {
          topics.add(topic);
        }
      }
      return topics;
    }

    private String optionalTopic(String name) {
      String value = kafka.text(name);
      if (!value.isEmpty() && !TOPIC.matcher(value).matches()) {
        throw kafka.invalid(
            name, "empty or a topic name of 1-249 characters from [a-zA-Z0-9._-]", value);
      }
      return value;
    }

    private Map<String, String> properties(String name) {
      Config props =
          kafka.get(name, "an object { ... } of Kafka client properties", c -> c.getConfig(name));
      Map<String, String> result = new LinkedHashMap<>();
      for (Map.Entry<String, ConfigValue> entry : props.entrySet()) {
        String property = String.join(".", ConfigUtil.splitPath(entry.getKey()));
        if (OWNED.contains(property)) {
          throw kafka.invalid(
              name + "." + property,
              "no such setting here: Lanes sets "
                  + property
                  + " itself"
                  + " (use kafka.bootstrap / kafka.group; offsets are committed by Lanes)");
        }
        result.put(property, scalar(entry.getValue()));
      }
      return result;
    }

    private static String scalar(ConfigValue value) {
      if (value.valueType() == ConfigValueType.LIST) {
        return ((List<?>) value.unwrapped())
            .stream().map(String::valueOf).collect(Collectors.joining(","));
      }
      return String.valueOf(value.unwrapped());
    }

    private static String key(String name) {
      return SECTION + "." + name;
    }
  }
}
