package dev.lanes.transport.nsq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sproutsocial.nsq.CloseHandshakeClient;
import com.sproutsocial.nsq.FixedNsqdSubscriber;
import com.sproutsocial.nsq.Message;
import com.sproutsocial.nsq.Subscriber;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link CloseHandshakeClient} against the real nsqd. It reaches into nsq-j 1.2's package-private
 * members; these tests fail when an nsq-j upgrade changes what it relies on: that nsq-j reports its
 * subscriber connections, that CLS written on one is answered with CLOSE_WAIT where nsq-j's reader
 * puts responses, and that every message nsqd sent before the answer has reached the client's
 * executor by then.
 */
@Tag("broker")
class CloseHandshakeClientTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final NsqTestBed bed = new NsqTestBed();
  private final ExecutorService handlerThread =
      Executors.newSingleThreadExecutor(r -> new Thread(r, "test-nsq-handler"));
  private final BlockingQueue<Message> received = new LinkedBlockingQueue<>();
  private CloseHandshakeClient client;

  @BeforeAll
  static void brokers() {
    NsqTestBed.requireBrokers();
  }

  @AfterEach
  void cleanUp() {
    if (client != null) {
      client.stop(1000); // also shuts down handlerThread
    }
    bed.deleteTopics();
  }

  @Test
  void clsIsAnsweredAndNsqdSendsNothingMoreWhileFinishesStillWork() throws Exception {
    String topic = bed.topic("cls");
    publish(topic, 20);
    subscribe(topic, "cls", 5);
    List<Message> held = take(5);

    CloseHandshakeClient.Handshake handshake = client.closeHandshake(WAIT);

    assertThat(handshake.connections()).as("subscriber connections nsq-j reported").isEqualTo(1);
    assertThat(handshake.complete()).as("CLOSE_WAIT: %s", handshake.failures()).isTrue();
    assertThat(NsqTestBed.readyCounts(topic, "cls")).containsExactly(0L);
    held.forEach(Message::finish);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              ChannelStats stats = NsqTestBed.stats(topic, "cls");
              assertThat(stats.inFlight()).as("in flight").isZero();
              assertThat(stats.depth()).as("depth").isEqualTo(15);
            });
    assertThat(received.poll(500, TimeUnit.MILLISECONDS)).as("sent after CLOSE_WAIT").isNull();
  }

  @Test
  void everyMessageNsqdSentBeforeCloseWaitHasReachedTheClientWhenTheHandshakeReturns()
      throws Exception {
    String topic = bed.topic("transit");
    publish(topic, 2000);
    subscribe(topic, "transit", 2000);
    await().atMost(WAIT).until(() -> !received.isEmpty()); // nsqd is streaming

    CloseHandshakeClient.Handshake handshake = client.closeHandshake(WAIT);
    handlerThread.submit(() -> {}).get(5, TimeUnit.SECONDS); // what the reader handed over is run

    assertThat(handshake.complete()).as("CLOSE_WAIT: %s", handshake.failures()).isTrue();
    assertThat(NsqTestBed.stats(topic, "transit").inFlight())
        .as("in flight at nsqd = received by the client: nothing left on the wire")
        .isEqualTo(received.size());
  }

  private void subscribe(String topic, String channel, int maxInFlight) {
    client = new CloseHandshakeClient();
    client.setExecutor(handlerThread);
    Subscriber subscriber = new FixedNsqdSubscriber(client, 60, List.of(NsqTestBed.NSQD_TCP));
    subscriber.setMaxFlushDelayMillis(200);
    subscriber.subscribe(topic, channel, maxInFlight, received::add);
  }

  private List<Message> take(int n) throws InterruptedException {
    List<Message> got = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Message m = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(m).as("message %d of %d", i + 1, n).isNotNull();
      got.add(m);
    }
    return got;
  }

  private static void publish(String topic, int count) throws Exception {
    StringBuilder bodies = new StringBuilder();
    for (int i = 0; i < count; i++) {
      bodies.append(i == 0 ? "" : "\n").append("m").append(i);
    }
    NsqTestBed.post(
        NsqTestBed.NSQD_HTTP,
        "/mpub",
        Map.of("topic", topic),
        bodies.toString().getBytes(StandardCharsets.UTF_8));
  }
}
