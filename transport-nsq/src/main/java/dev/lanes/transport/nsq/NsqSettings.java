package dev.lanes.transport.nsq;

import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.lanes.config.SectionReader;
import dev.lanes.spi.TaskConfig;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A task's {@code nsq { ... }} block, read and validated once when the source or publisher is
 * opened. Every default lives in this module's {@code reference.conf}.
 *
 * @param lookupd nsqlookupd HTTP addresses ({@code host:port}) that locate the nsqd nodes of the
 *     topic; used when {@code nsqd} is empty
 * @param nsqd nsqd TCP addresses to subscribe to directly; when not empty, {@code lookupd} is not
 *     used for consuming
 * @param nsqdHttp nsqd HTTP addresses for the backlog metric in direct mode
 * @param publishTo the nsqd TCP address publishers and dead letters go to
 * @param topic the topic consumed and published to
 * @param channel the channel consumed (the task's name unless set)
 * @param maxInFlight the RDY count of the subscription: how many messages nsqd may have in flight
 *     to this source at once, derived from the lanes unless set
 * @param msgTimeout the message timeout negotiated with nsqd (IDENTIFY {@code msg_timeout})
 * @param outputBufferTimeout how long nsqd may hold messages for this source before it flushes them
 *     (IDENTIFY {@code output_buffer_timeout})
 * @param deadLetterTopic where rejected messages go ({@code <topic>_dlq} unless set)
 * @param lookupInterval how often nsq-j looks the topic up again (and reconnects to nodes it lost)
 * @param httpTimeout connect and read timeout of the HTTP calls to nsqlookupd and nsqd
 * @param tls whether and how connections to nsqd (TCP and the {@code nsqdHttp} addresses) use TLS
 * @param authSecret the secret for nsqd's AUTH ({@link AuthSecret#NONE} when not set); printed as
 *     {@code ***}
 * @param partitions 0: one topic; K &gt; 0: K topics {@code <topic>.0 … <topic>.K-1}, a message's
 *     chosen by {@link Partitioner} from its key
 * @param ownedPartitions the partitions this runner consumes, ascending (empty without partitions)
 */
public record NsqSettings(
    List<String> lookupd,
    List<String> nsqd,
    List<String> nsqdHttp,
    String publishTo,
    String topic,
    String channel,
    int maxInFlight,
    Duration msgTimeout,
    Duration outputBufferTimeout,
    String deadLetterTopic,
    Duration lookupInterval,
    Duration httpTimeout,
    NsqTls tls,
    AuthSecret authSecret,
    int partitions,
    List<Integer> ownedPartitions) {

  /** Most partitions a task may have. */
  static final int MAX_PARTITIONS = 1000;

  /** Where derived RDY counts stop: nsqd's default {@code --max-rdy-count}. */
  static final int DERIVED_MAX_IN_FLIGHT_CAP = 2500;

  private static final String EPHEMERAL = "#ephemeral";
  private static final Pattern NAME = Pattern.compile("[.a-zA-Z0-9_-]+");
  private static final Pattern HOST_PORT =
      Pattern.compile("(\\[[0-9a-fA-F:.]+]|[^\\s:\\[\\]]+):(\\d{1,5})");
  private static final int MAX_NAME_LENGTH = 64;
  private static final Pattern RANGE = Pattern.compile("(\\d{1,4})(?:\\s*-\\s*(\\d{1,4}))?");

  public NsqSettings {
    lookupd = List.copyOf(lookupd);
    nsqd = List.copyOf(nsqd);
    nsqdHttp = List.copyOf(nsqdHttp);
    ownedPartitions = List.copyOf(ownedPartitions);
  }

  /**
   * Reads {@code task.section("nsq")}.
   *
   * @throws dev.lanes.api.ReadyFailedException naming the key and what was expected
   */
  public static NsqSettings from(TaskConfig task) {
    return new Reader(task).read();
  }

  /** Whether the task's messages are spread over {@link #partitions} topics. */
  public boolean partitioned() {
    return partitions > 0;
  }

  /** The topic of partition {@code p}: {@code <topic>.p}. */
  public String partitionTopic(int p) {
    return topic + "." + p;
  }

  /** The topics the source consumes: {@code topic}, or the owned partitions' topics. */
  public List<String> ownedTopics() {
    return partitioned()
        ? ownedPartitions.stream().map(this::partitionTopic).toList()
        : List.of(topic);
  }

  /** Whether the source subscribes to {@link #nsqd()} directly rather than through nsqlookupd. */
  public boolean direct() {
    return !nsqd.isEmpty();
  }

  /**
   * How often held messages must be touched: half the message timeout, less the time a TOUCH may
   * wait in nsq-j's write buffer ({@link NsqSource#MAX_FLUSH_DELAY}). The other half covers the
   * time nsqd's clock runs before the message reaches Lanes (nsqd's output buffer, 250 ms by
   * default) and the dispatcher's timer.
   */
  public Duration touchInterval() {
    return msgTimeout.dividedBy(2).minus(NsqSource.MAX_FLUSH_DELAY);
  }

  /** Whether {@code name} is a valid NSQ topic or channel name. */
  static boolean validName(String name) {
    String base =
        name.endsWith(EPHEMERAL) ? name.substring(0, name.length() - EPHEMERAL.length()) : name;
    return name.length() <= MAX_NAME_LENGTH && NAME.matcher(base).matches();
  }

  private static final class Reader {
    private final TaskConfig task;
    private final SectionReader nsq;

    Reader(TaskConfig task) {
      this.task = task;
      this.nsq = SectionReader.of(task, "nsq");
    }

    NsqSettings read() {
      List<String> lookupd = addresses("lookupd");
      List<String> nsqd = addresses("nsqd");
      if (lookupd.isEmpty() && nsqd.isEmpty()) {
        throw nsq.invalid(
            "lookupd", "at least one nsqlookupd address, or nsqd addresses in nsq.nsqd, got none");
      }
      String topic = name("topic", nsq.text("topic"));
      int partitions = partitions(topic);
      String channel = name("channel", nsq.textOrTaskName("channel"));
      String deadLetterSetting = nsq.text("deadLetterTopic");
      String deadLetterTopic =
          name(
              "deadLetterTopic",
              deadLetterSetting.isEmpty() ? nonEphemeral(topic) + "_dlq" : deadLetterSetting);
      return new NsqSettings(
          lookupd,
          nsqd,
          addresses("nsqdHttp"),
          address("publishTo", nsq.text("publishTo")),
          topic,
          channel,
          maxInFlight(),
          nsq.duration("msgTimeout", Duration.ofSeconds(1)),
          nsq.duration("outputBufferTimeout", Duration.ofMillis(1)),
          deadLetterTopic,
          wholeSeconds(nsq.duration("lookupInterval", Duration.ofSeconds(1))),
          nsq.duration("httpTimeout", Duration.ofMillis(1)),
          tls(),
          AuthSecret.of(nsq.get("authSecret", "a string", c -> c.getString("authSecret"))),
          partitions,
          ownedPartitions(partitions));
    }

    private int partitions(String topic) {
      int partitions = nsq.integer("partitions", 0, MAX_PARTITIONS);
      if (partitions > 0 && topic.endsWith(EPHEMERAL)) {
        throw nsq.invalid(
            "partitions",
            "0 for an #ephemeral topic (its partition topics would be invalid names)",
            partitions);
      }
      if (partitions > 0 && !validName(topic + "." + (partitions - 1))) {
        throw nsq.invalid(
            "partitions",
            "a count whose topic names "
                + topic
                + ".0 … "
                + topic
                + "."
                + (partitions - 1)
                + " stay within 64 characters",
            partitions);
      }
      return partitions;
    }

    private List<Integer> ownedPartitions(int partitions) {
      ConfigValue value = nsq.get("ownedPartitions", "a list", c -> c.getValue("ownedPartitions"));
      List<Integer> owned =
          value.valueType() == ConfigValueType.STRING
              ? parseOwned((String) value.unwrapped())
              : nsq.get(
                  "ownedPartitions",
                  "a list of partition numbers or a string such as \"0-2,5\"",
                  c -> c.getIntList("ownedPartitions"));
      if (partitions == 0) {
        if (!owned.isEmpty()) {
          throw nsq.invalid(
              "ownedPartitions", "empty (it applies only with nsq.partitions > 0)", owned);
        }
        return List.of();
      }
      if (owned.isEmpty()) {
        throw nsq.invalid(
            "ownedPartitions",
            "the partitions this runner consumes, required with nsq.partitions = "
                + partitions
                + ", e.g. [0, 1] or \"0-1\" (or LANES_NSQ_OWNED_PARTITIONS)");
      }
      SortedSet<Integer> sorted = new TreeSet<>();
      for (int p : owned) {
        if (p < 0 || p >= partitions) {
          throw nsq.invalid(
              "ownedPartitions", "partition numbers in 0.." + (partitions - 1), owned.toString());
        }
        if (!sorted.add(p)) {
          throw nsq.invalid(
              "ownedPartitions", "each partition once, got " + p + " twice in " + owned);
        }
      }
      return List.copyOf(sorted);
    }

    /** "0-2, 5" → [0, 1, 2, 5]; an empty string → []. */
    private List<Integer> parseOwned(String text) {
      List<Integer> owned = new ArrayList<>();
      if (text.isBlank()) {
        return owned;
      }
      for (String part : text.split(",")) {
        var m = RANGE.matcher(part.trim());
        if (!m.matches()) {
          throw nsq.invalid(
              "ownedPartitions",
              "partition numbers and ranges separated by commas, such as \"0-2,5\"",
              text);
        }
        int from = Integer.parseInt(m.group(1));
        int to = m.group(2) == null ? from : Integer.parseInt(m.group(2));
        if (to < from || to - from > MAX_PARTITIONS) {
          throw nsq.invalid("ownedPartitions", "ranges from low to high, such as \"0-2\"", text);
        }
        for (int p = from; p <= to; p++) {
          owned.add(p);
        }
      }
      return owned;
    }

    private NsqTls tls() {
      if (!nsq.bool("tls.enabled")) {
        return NsqTls.DISABLED;
      }
      String caFile = nsq.get("tls.caFile", "a file name", c -> c.getString("tls.caFile"));
      boolean insecure = nsq.bool("tls.insecureSkipVerify");
      try {
        return NsqTls.enabled(caFile.isEmpty() ? null : Path.of(caFile), insecure);
      } catch (IOException | GeneralSecurityException | InvalidPathException e) {
        throw nsq.invalid(
            "tls.caFile", "a readable PEM file of CA certificates, got '" + caFile + "'", e);
      }
    }

    private int maxInFlight() {
      int value = nsq.get("maxInFlight", "an integer", c -> c.getInt("maxInFlight"));
      if (value < 0) {
        throw nsq.invalid("maxInFlight", "an integer >= 0 (0 derives it from the lanes)", value);
      }
      if (value > 0) {
        return value;
      }
      long lanes = (long) task.consumerNum() * task.channelLength();
      return (int) Math.min(lanes, DERIVED_MAX_IN_FLIGHT_CAP);
    }

    private List<String> addresses(String key) {
      List<String> values = nsq.textList(key, "a list of host:port strings");
      return values.stream().map(v -> address(key, v)).toList();
    }

    private String address(String key, String value) {
      String trimmed = value.trim();
      var m = HOST_PORT.matcher(trimmed);
      if (!m.matches()
          || Integer.parseInt(m.group(2)) < 1
          || Integer.parseInt(m.group(2)) > 65535) {
        throw nsq.invalid(key, "host:port addresses such as 127.0.0.1:4150", value);
      }
      return trimmed;
    }

    private String name(String key, String value) {
      if (value.isEmpty()) {
        throw nsq.invalid(key, "a name (it has no default)");
      }
      if (!validName(value)) {
        throw nsq.invalid(
            key, "1-64 characters of [.a-zA-Z0-9_-], optionally ending in #ephemeral", value);
      }
      return value;
    }

    private static String nonEphemeral(String topic) {
      return topic.endsWith(EPHEMERAL)
          ? topic.substring(0, topic.length() - EPHEMERAL.length())
          : topic;
    }

    /** nsq-j schedules lookups in whole seconds; round up so the wait is never shorter. */
    private static Duration wholeSeconds(Duration d) {
      long seconds = d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
      return Duration.ofSeconds(seconds);
    }
  }
}
