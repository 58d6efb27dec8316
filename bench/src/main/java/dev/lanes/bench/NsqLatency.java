package dev.lanes.bench;

import com.sproutsocial.nsq.Client;
import com.sproutsocial.nsq.Config;
import com.sproutsocial.nsq.Publisher;
import com.sproutsocial.nsq.Subscriber;
import dev.lanes.spi.Transport;
import dev.lanes.transport.nsq.NsqTransport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * NSQ: one fresh topic per run with its channel created over nsqd's HTTP API before anything is
 * published, found by both consumers through nsqlookupd; plain bodies published with nsq-j (PUB, or
 * MPUB for what is due at once). The baseline is an nsq-j {@link Subscriber} with Lanes' settings:
 * callbacks on one thread (nsq-j's default pool would reorder), RDY = Lanes' derived {@code
 * maxInFlight} ({@code consumerNum × channelLength}, at most 2500), FIN per message with the same
 * 200 ms flush delay. NSQ promises no order, so order is reported but not required.
 */
final class NsqLatency implements LatencyTransport {

  static final String CHANNEL = "latency";

  private final String nsqd;
  private final String nsqdHttp;
  private final String lookupd;
  private final int maxInFlight;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Client publisherClient = new Client();
  private final Publisher publisher;
  private final List<String> topics = new ArrayList<>();

  NsqLatency(String nsqd, String nsqdHttp, String lookupd, int consumerNum) {
    this.nsqd = nsqd;
    this.nsqdHttp = nsqdHttp;
    this.lookupd = lookupd;
    this.maxInFlight = Math.min(consumerNum * 1024, 2500);
    this.publisher = new Publisher(publisherClient, nsqd, null);
  }

  @Override
  public String name() {
    return "nsq";
  }

  @Override
  public String rawName() {
    return "nsq-j subscriber";
  }

  @Override
  public boolean ordered() {
    return false;
  }

  @Override
  public Transport transport() {
    return new NsqTransport();
  }

  @Override
  public String newDestination() throws Exception {
    String topic =
        "bench_latency_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    post("/topic/create?topic=" + topic);
    post("/channel/create?topic=" + topic + "&channel=" + CHANNEL);
    topics.add(topic);
    return topic;
  }

  @Override
  public Map<String, Object> lanesConfig(String topic) {
    return Map.of(
        "transport",
        "nsq",
        "nsq.lookupd",
        List.of(lookupd),
        "nsq.publishTo",
        nsqd,
        "nsq.topic",
        topic,
        "nsq.channel",
        CHANNEL);
  }

  @Override
  public PacedProducer.Sender sender(String topic) {
    return batch -> {
      if (batch.size() == 1) {
        publisher.publish(topic, batch.get(0).payload());
        return;
      }
      List<byte[]> bodies = new ArrayList<>(batch.size());
      batch.forEach(due -> bodies.add(due.payload()));
      publisher.publish(topic, bodies);
    };
  }

  @Override
  public AutoCloseable startRaw(String topic, LatencyProbe probe) {
    Client client = new Client();
    ExecutorService callbacks =
        Executors.newSingleThreadExecutor(r -> new Thread(r, "bench-raw-nsq-receive"));
    client.setExecutor(callbacks);
    Subscriber subscriber = new Subscriber(client, 15, 5, lookupd);
    Config config = new Config();
    config.setMsgTimeout(60_000);
    subscriber.setConfig(config);
    subscriber.setMaxFlushDelayMillis(200);
    subscriber.subscribe(
        topic,
        CHANNEL,
        maxInFlight,
        message -> {
          probe.received(message.getData());
          message.finish();
        });
    if (subscriber.getConnectionCount() == 0) {
      client.stop();
      throw new IllegalStateException("the raw NSQ subscriber found no nsqd for " + topic);
    }
    return () -> client.stop(5_000);
  }

  private void post(String path) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://" + nsqdHttp + path))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "nsqd " + path + ": HTTP " + response.statusCode() + " " + response.body());
    }
  }

  @Override
  public void close() throws Exception {
    publisher.stop();
    publisherClient.stop();
    for (String topic : topics) {
      post("/topic/delete?topic=" + topic);
    }
  }
}
