package dev.lanes.transport.nsq;

import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.lanes.api.Message;
import dev.lanes.spi.TaskConfig;
import dev.lanes.testing.Tasks;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The real nsqd and nsqlookupd on loopback that {@code scripts/brokers.sh start nsq} runs, and
 * small helpers for tests: unique topic names, task configs, and nsqd's HTTP API as a foreign
 * client (publish, create, delete, stats).
 */
final class NsqTestBed {

  static final String NSQD_TCP = "127.0.0.1:4150";
  static final String NSQD_HTTP = "127.0.0.1:4151";
  static final String LOOKUPD_HTTP = "127.0.0.1:4161";

  /** An address where nothing listens. */
  static final String NOWHERE = "127.0.0.1:1";

  private static final NsqHttp HTTP = new NsqHttp(Duration.ofSeconds(5));

  private final List<String> topics = new ArrayList<>();

  /** Fails (never skips) with what to do when nsqd or nsqlookupd does not answer. */
  static void requireBrokers() {
    for (String address : List.of(NSQD_HTTP, LOOKUPD_HTTP)) {
      if (!answersPing(address)) {
        fail(
            "NSQ is not running: no answer from http://"
                + address
                + "/ping; start it with scripts/brokers.sh start nsq");
      }
    }
  }

  /**
   * Whether {@code GET /ping} of an nsqd or nsqlookupd HTTP address answers 200 (its body is "OK").
   */
  static boolean answersPing(String address) {
    try {
      HttpURLConnection http =
          (HttpURLConnection) URI.create("http://" + address + "/ping").toURL().openConnection();
      http.setConnectTimeout(2000);
      http.setReadTimeout(2000);
      try {
        return http.getResponseCode() == 200;
      } finally {
        http.disconnect();
      }
    } catch (IOException e) {
      return false;
    }
  }

  /** A fresh topic name for {@code scenario}, deleted from nsqd by {@link #deleteTopics()}. */
  String topic(String scenario) {
    String topic = scenario + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 20);
    topics.add(topic);
    topics.add(topic + "_dlq");
    return topic;
  }

  /**
   * A fresh topic name for {@code scenario} with {@code partitions} partition topics, all deleted
   * by {@link #deleteTopics()}.
   */
  String topic(String scenario, int partitions) {
    String topic = topic(scenario);
    for (int p = 0; p < partitions; p++) {
      topics.add(topic + "." + p);
    }
    return topic;
  }

  /** Removes this test's topics from nsqd (and so from nsqlookupd). */
  void deleteTopics() {
    for (String topic : topics) {
      try {
        post(NSQD_HTTP, "/topic/delete", Map.of("topic", topic), null);
      } catch (IOException e) {
        // not created, or nsqd gone: nothing to clean
      }
    }
    topics.clear();
  }

  /** A task on {@code topic} over {@link Tasks#task}, looking up every second. */
  static TaskConfig task(String name, String topic, Map<String, ?> overrides) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("transport", "nsq");
    settings.put("nsq.topic", topic);
    settings.put("nsq.lookupInterval", "1s");
    settings.putAll(overrides);
    return Tasks.task(name, settings);
  }

  static Message message(String payload) {
    return Message.builder().id("unsent").payload(payload).build();
  }

  /** Publishes through nsqd's HTTP API, as a client that knows nothing of Lanes would. */
  static void publishHttp(String topic, String body) throws IOException {
    post(NSQD_HTTP, "/pub", Map.of("topic", topic), body.getBytes(StandardCharsets.UTF_8));
  }

  /** Creates a topic on nsqd and waits until nsqlookupd lists it. */
  static void createTopic(String topic) throws IOException {
    post(NSQD_HTTP, "/topic/create", Map.of("topic", topic), null);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> HTTP.get(LOOKUPD_HTTP, "/lookup", Map.of("topic", topic)).status() == 200);
  }

  /** The RDY counts nsqd holds for the clients of a channel. */
  static List<Long> readyCounts(String topic, String channel) throws IOException {
    Object body =
        HTTP.get(
                NSQD_HTTP,
                "/stats",
                Map.of(
                    "format", "json", "topic", topic, "channel", channel, "include_mem", "false"))
            .body();
    List<Long> counts = new ArrayList<>();
    for (Object t : NsqHttp.list(body, "topics")) {
      for (Object c : NsqHttp.list(t, "channels")) {
        for (Object client : NsqHttp.list(c, "clients")) {
          counts.add(NsqHttp.number(client, "ready_count"));
        }
      }
    }
    return counts;
  }

  /** Messages waiting in {@code topic} itself (published before any channel existed). */
  static long topicDepth(String topic) throws IOException {
    Object body =
        HTTP.get(
                NSQD_HTTP,
                "/stats",
                Map.of("format", "json", "topic", topic, "include_mem", "false"))
            .body();
    for (Object t : NsqHttp.list(body, "topics")) {
      if (topic.equals(NsqHttp.field(t, "topic_name"))) {
        return NsqHttp.number(t, "depth");
      }
    }
    return 0;
  }

  static ChannelStats stats(String topic, String channel) throws IOException {
    return ChannelStats.read(HTTP, NSQD_HTTP, topic, channel);
  }

  static void post(String address, String path, Map<String, String> query, byte[] body)
      throws IOException {
    StringBuilder url = new StringBuilder("http://" + address + path);
    char sep = '?';
    for (Map.Entry<String, String> e : query.entrySet()) {
      url.append(sep)
          .append(e.getKey())
          .append('=')
          .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
      sep = '&';
    }
    HttpURLConnection http =
        (HttpURLConnection) URI.create(url.toString()).toURL().openConnection();
    http.setRequestMethod("POST");
    http.setConnectTimeout(5000);
    http.setReadTimeout(5000);
    http.setDoOutput(true);
    try (OutputStream out = http.getOutputStream()) {
      if (body != null) {
        out.write(body);
      }
    }
    int status = http.getResponseCode();
    http.disconnect();
    if (status != 200) {
      throw new IOException("POST " + url + " answered HTTP " + status);
    }
  }
}
