package dev.lanes.bench;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A topic and its channel created over nsqd's HTTP API, then filled by {@code /mpub} in batches of
 * {@link #BATCH} newline-separated messages; nsqd keeps {@code --mem-queue-size} (10,000 by
 * default) of the channel's messages in memory and spills the rest to disk. Preloading waits until
 * the channel's depth is the whole backlog. The task subscribes to this nsqd directly. The client
 * may hold {@code nsq.maxInFlight} messages (the RDY count; 0 derives it as {@code consumerNum ×
 * channelLength}, at most 2500).
 */
final class NsqBacklog implements Backlog {

  private static final int BATCH = 10_000;
  private static final int RDY_CAP = 2500;
  private static final Pattern DEPTH = Pattern.compile("\"depth\":(\\d+)");

  private final String tcp;
  private final String http;
  private final int lanes;
  private final int channelLength;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  NsqBacklog(BacklogMemoryWorkload.Settings settings) {
    this.tcp = settings.nsqd();
    this.http = settings.nsqdHttp();
    this.lanes = settings.consumerNum();
    this.channelLength = settings.channelLength();
  }

  @Override
  public String transport() {
    return "nsq";
  }

  @Override
  public void create(String topic) throws Exception {
    post("/topic/create?topic=" + topic, new byte[0]);
    post("/channel/create?topic=" + topic + "&channel=" + topic, new byte[0]);
  }

  @Override
  public void preload(String topic, long count, Payloads payloads) throws Exception {
    ByteArrayOutputStream body = new ByteArrayOutputStream(BATCH * (payloads.size() + 1));
    for (long i = 0; i < count; i++) {
      if (body.size() > 0) {
        body.write('\n');
      }
      body.write(payloads.bytes(i));
      if ((i + 1) % BATCH == 0 || i + 1 == count) {
        post("/mpub?topic=" + topic, body.toByteArray());
        body.reset();
      }
    }
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    long depth;
    while ((depth = channelDepth(topic)) < count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "channel " + topic + " holds " + depth + " of " + count + " after 5 minutes");
      }
      Thread.sleep(200); // a benchmark's set-up, not main code
    }
  }

  @Override
  public Map<String, Object> taskSettings(String topic) {
    return Map.of(
        "transport",
        "nsq",
        "nsq.topic",
        topic,
        "nsq.channel",
        topic,
        "nsq.nsqd",
        List.of(tcp),
        "nsq.nsqdHttp",
        List.of(http),
        "nsq.publishTo",
        tcp);
  }

  @Override
  public ClientBuffer clientBuffer(Map<String, Object> task) {
    long rdy = Math.min((long) lanes * channelLength, RDY_CAP);
    return new ClientBuffer(
        rdy, 0, true, "nsq.maxInFlight (0: min(consumerNum × channelLength, 2500) = " + rdy + ")");
  }

  @Override
  public void delete(String topic) {
    for (String name : new String[] {topic, topic + "_dlq"}) {
      try {
        post("/topic/delete?topic=" + name, new byte[0]);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        // a topic the task never created
      }
    }
  }

  private long channelDepth(String topic) throws Exception {
    String stats =
        get(
            "/stats?format=json&topic="
                + URLEncoder.encode(topic, StandardCharsets.UTF_8)
                + "&channel="
                + URLEncoder.encode(topic, StandardCharsets.UTF_8));
    int channels = stats.indexOf("\"channels\":");
    Matcher m = DEPTH.matcher(stats);
    return channels >= 0 && m.find(channels) ? Long.parseLong(m.group(1)) : 0;
  }

  private String get(String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create("http://" + http + path)).GET());
  }

  private void post(String path, byte[] body) throws Exception {
    send(
        HttpRequest.newBuilder(URI.create("http://" + http + path))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  private String send(HttpRequest.Builder request) throws Exception {
    HttpResponse<String> response =
        client.send(
            request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "nsqd answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }
}
