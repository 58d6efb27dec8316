package dev.lanes.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * NSQ: a topic per run with one channel, created before the messages are published with {@code
 * /mpub} over nsqd's HTTP API, so the channel holds the whole backlog; Lanes' nsq transport against
 * {@link RawNsqConsumer}, both found through nsqlookupd with the same RDY count and FIN per
 * message. NSQ does not promise order, and its messages carry no key, so Lanes hands them to the
 * least-loaded lane: per-key order is counted, not required.
 */
final class NsqDrain implements DrainBroker {

  static final String CHANNEL = "drain";
  private static final int MPUB_BATCH = 5_000;
  private static final JsonFactory JSON = new JsonFactory();

  private final DrainSettings settings;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  NsqDrain(DrainSettings settings) {
    this.settings = settings;
  }

  @Override
  public String name() {
    return "nsq";
  }

  /**
   * A million: every NSQ drain here, Lanes' and raw, lasted a whole multiple of 250 ms, so a short
   * drain measures the steps more than the consumer.
   */
  @Override
  public int defaultRecords() {
    return 1_000_000;
  }

  @Override
  public boolean ordered() {
    return false;
  }

  @Override
  public String destination(String unique) {
    return "bench_drain_" + unique;
  }

  @Override
  public void preload(String topic, int records) throws Exception {
    post("/topic/create?topic=" + topic, new byte[0]);
    post("/channel/create?topic=" + topic + "&channel=" + CHANNEL, new byte[0]);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    int keys = settings.keys();
    for (int i = 0; i < records; i++) {
      if (body.size() > 0) {
        body.write('\n');
      }
      body.write(DrainPayload.value(i % keys, i / keys, settings.size()));
      if ((i + 1) % MPUB_BATCH == 0 || i == records - 1) {
        post("/mpub?topic=" + topic, body.toByteArray());
        body.reset();
      }
    }
    awaitDepth(topic, records);
  }

  /**
   * nsqd moves published messages from the topic to its channels on its own goroutine: the drain
   * starts once the channel holds the whole backlog. There is nothing to wait on but its stats.
   */
  private void awaitDepth(String topic, int records) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    long depth;
    while ((depth = channelDepth(topic)) != records) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "channel " + CHANNEL + " of " + topic + " holds " + depth + " of " + records);
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  private long channelDepth(String topic) throws Exception {
    byte[] json =
        send(
            HttpRequest.newBuilder(uri("/stats?format=json&topic=" + topic + "&channel=" + CHANNEL))
                .GET());
    try (JsonParser p = JSON.createParser(json)) {
      p.nextToken();
      return depthIn(p);
    }
  }

  /** The {@code depth} of the object naming {@link #CHANNEL}, found from {@code p}'s object. */
  private static long depthIn(JsonParser p) throws IOException {
    String name = null;
    long depth = -1;
    long nested = -1;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      if (value == JsonToken.START_OBJECT) {
        nested = Math.max(nested, depthIn(p));
      } else if (value == JsonToken.START_ARRAY) {
        while (p.nextToken() != JsonToken.END_ARRAY) {
          if (p.currentToken() == JsonToken.START_OBJECT) {
            nested = Math.max(nested, depthIn(p));
          } else {
            p.skipChildren();
          }
        }
      } else if (field.equals("channel_name")) {
        name = p.getText();
      } else if (field.equals("depth")) {
        depth = p.getLongValue();
      }
    }
    return CHANNEL.equals(name) ? depth : nested;
  }

  @Override
  public AutoCloseable lanes(String topic, DrainTally tally) {
    return new LanesDrain(
        "nsq",
        Map.of(
            "nsq.lookupd",
            List.of(settings.lookupd()),
            "nsq.topic",
            topic,
            "nsq.channel",
            CHANNEL,
            "nsq.maxInFlight",
            settings.maxInFlight()),
        settings.lanes(),
        tally);
  }

  @Override
  public AutoCloseable raw(String topic, DrainTally tally) {
    return new RawNsqConsumer(
        settings.lookupd(), topic, CHANNEL, settings.maxInFlight(), settings.lanes(), tally);
  }

  /** The topic and its dead-letter topic, should Lanes have made one. */
  @Override
  public void delete(String topic) throws Exception {
    for (String t : List.of(topic, topic + "_dlq")) {
      send(
          HttpRequest.newBuilder(uri("/topic/delete?topic=" + t))
              .POST(HttpRequest.BodyPublishers.noBody()),
          true);
    }
  }

  private void post(String pathAndQuery, byte[] body) throws Exception {
    send(
        HttpRequest.newBuilder(uri(pathAndQuery))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  private byte[] send(HttpRequest.Builder request) throws Exception {
    return send(request, false);
  }

  private byte[] send(HttpRequest.Builder request, boolean missingIsFine) throws Exception {
    HttpRequest r = request.timeout(Duration.ofSeconds(30)).build();
    HttpResponse<byte[]> response = http.send(r, HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200 && !(missingIsFine && response.statusCode() == 404)) {
      throw new IOException(
          r.method()
              + " "
              + r.uri()
              + ": "
              + response.statusCode()
              + " "
              + new String(response.body(), StandardCharsets.UTF_8));
    }
    return response.body();
  }

  private URI uri(String pathAndQuery) {
    return URI.create("http://" + settings.nsqdHttp() + pathAndQuery);
  }
}
