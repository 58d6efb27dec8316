package dev.lanes.transport.nsq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import com.sproutsocial.nsq.Client;
import com.sproutsocial.nsq.LanesBridge;
import com.sproutsocial.nsq.Message;
import com.sproutsocial.nsq.Subscriber;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The canary of the nsq-j upgrade: each assumption {@link LanesBridge} makes about nsq-j's
 * internals (listed in its javadoc and in docs/transports/nsq.md, "nsq-j assumptions"), exercised
 * against the real nsqd. A failure names the nsq-j version on the class path and the assumption
 * that no longer holds; fix {@code LanesBridge} (or replace it with what the new nsq-j offers)
 * before shipping the upgrade.
 */
@Tag("broker")
class NsqjAssumptionsTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String NSQJ_VERSION = nsqjVersion();

  private final NsqTestBed bed = new NsqTestBed();
  private final Recorded recorded = new Recorded();
  private LanesBridge.BridgeClient<String> client;

  @BeforeAll
  static void brokers() {
    NsqTestBed.requireBrokers();
  }

  @AfterEach
  void cleanUp() {
    if (client != null) {
      client.stop(1000);
    }
    recorded.handOverThread.shutdownNow();
    bed.deleteTopics();
  }

  @Test
  void thePackagePrivateMembersTheBridgeReachesAreThere() {
    member("Client.addSubConnection(SubConnection)", "Client", "addSubConnection", "SubConnection");
    member("Client.connectionClosed(SubConnection)", "Client", "connectionClosed", "SubConnection");
    member("Connection.flush()", "Connection", "flush", null);
    field("Connection.out (DataOutputStream)", "out", java.io.DataOutputStream.class);
    field("Connection.respQueue (BlockingQueue<String>)", "respQueue", BlockingQueue.class);
    field("Connection.handlerExecutor (ExecutorService)", "handlerExecutor", ExecutorService.class);
    assertThatCode(() -> Subscriber.class.getDeclaredMethod("lookupTopic", String.class))
        .as(assumption("Subscriber.lookupTopic(String) exists, to be overridden"))
        .doesNotThrowAnyException();
  }

  @Test
  void everyMessageIsHandedOverInOrderWithItsConnectionAndTheConnectionReportsItsClose()
      throws Exception {
    String topic = subscribedWithBacklog("handover", 5, 100);

    List<Message> got = recorded.take(5);
    assertThat(recorded.events)
        .as(assumption("a subscription checks its connections, then opens one per nsqd"))
        .startsWith("checking " + topic, "opening c1@" + NsqTestBed.NSQD_TCP);
    assertThat(got)
        .extracting(m -> new String(m.getData(), StandardCharsets.UTF_8))
        .as(assumption("messages reach the connection's executor in the order nsqd sent them"))
        .containsExactly("m0", "m1", "m2", "m3", "m4");
    assertThat(recorded.handled)
        .as(
            assumption(
                "every message callback runs through the executor the connection took from"
                    + " Client.getExecutor(), with that connection"))
        .containsOnly("c1@" + NsqTestBed.NSQD_TCP + " on test-nsq-handover");
    got.forEach(Message::finish);

    client.stop(1000);
    client = null;
    await()
        .atMost(WAIT)
        .alias(assumption("a stopped client reports every connection closed once"))
        .until(() -> recorded.events.contains("closed c1@" + NsqTestBed.NSQD_TCP));
    assertThat(recorded.events).filteredOn(e -> e.startsWith("closed")).hasSize(1);
  }

  @Test
  void aConnectionCutByTheNetworkIsReportedClosedAndReopenedAtTheNextLookup() throws Exception {
    String topic = bed.topic("cut");
    NsqTestBed.createTopic(topic);
    try (Toxiproxy proxy = new Toxiproxy("nsqj_cut", NsqTestBed.NSQD_TCP)) {
      subscribe(topic, "cut", List.of(proxy.listen), 10);
      String first = "c1@" + proxy.listen;
      assertThat(recorded.events).contains("opening " + first);

      proxy.disable();
      await()
          .atMost(WAIT)
          .alias(assumption("a connection closed under nsq-j is reported closed"))
          .until(() -> recorded.events.contains("closed " + first));

      proxy.enable();
      await()
          .atMost(WAIT)
          .alias(assumption("the subscriber checks its connections again every lookup interval"))
          .until(
              () ->
                  recorded.events.stream().filter(e -> e.equals("checking " + topic)).count() >= 3);
      await()
          .atMost(WAIT)
          .alias(assumption("a lost connection is opened again at a lookup"))
          .until(
              () ->
                  recorded.events.stream()
                      .anyMatch(
                          e ->
                              e.startsWith("opening c")
                                  && !e.equals("opening " + first)
                                  && !recorded.closedOnes().contains(e.substring(8))));
      NsqTestBed.publishHttp(topic, "after");
      assertThat(recorded.take(1))
          .extracting(m -> new String(m.getData(), StandardCharsets.UTF_8))
          .containsExactly("after");
    }
  }

  @Test
  void aConnectThatFailsIsReportedOpenedThenClosed() {
    String topic = bed.topic("nowhere");
    subscribe(topic, "nowhere", List.of(NsqTestBed.NOWHERE), 10);
    await()
        .atMost(WAIT)
        .alias(assumption("a connect that fails reports its opening, then its close"))
        .until(
            () ->
                recorded.events.containsAll(
                    List.of(
                        "opening c1@" + NsqTestBed.NOWHERE, "closed c1@" + NsqTestBed.NOWHERE)));
  }

  @Test
  void clsIsAnsweredAndNsqdSendsNothingMoreWhileFinishesStillWork() throws Exception {
    String topic = subscribedWithBacklog("cls", 20, 5);
    List<Message> held = recorded.take(5);

    LanesBridge.Handshake handshake = client.closeHandshake(WAIT);

    assertThat(handshake.connections())
        .as(assumption("the subscriber connections reported"))
        .isEqualTo(1);
    assertThat(handshake.answered())
        .as(
            assumption(
                "CLS is answered CLOSE_WAIT in Connection.respQueue: " + handshake.failures()))
        .isEqualTo(1);
    assertThat(NsqTestBed.readyCounts(topic, "cls")).containsExactly(0L);
    held.forEach(Message::finish);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              ChannelStats stats = NsqTestBed.stats(topic, "cls");
              assertThat(stats.inFlight()).as(assumption("FIN works after CLS")).isZero();
              assertThat(stats.depth()).as("depth").isEqualTo(15);
            });
    assertThat(recorded.received.poll(500, TimeUnit.MILLISECONDS))
        .as("sent after CLOSE_WAIT")
        .isNull();
  }

  @Test
  void everyMessageNsqdSentBeforeCloseWaitHasReachedTheExecutorWhenTheHandshakeReturns()
      throws Exception {
    String topic = subscribedWithBacklog("transit", 2000, 2000);
    await().atMost(WAIT).until(() -> !recorded.received.isEmpty()); // nsqd is streaming

    LanesBridge.Handshake handshake = client.closeHandshake(WAIT);
    recorded.handOverThread.submit(() -> {}).get(5, TimeUnit.SECONDS); // what was handed over ran

    assertThat(handshake.answered()).as("CLOSE_WAIT: %s", handshake.failures()).isEqualTo(1);
    assertThat(NsqTestBed.stats(topic, "transit").inFlight())
        .as(
            assumption(
                "nsq-j's reader hands each message to the executor before it reads the next frame,"
                    + " so at CLOSE_WAIT nothing nsqd sent is left on the wire"))
        .isEqualTo(recorded.received.size());
  }

  /**
   * A fresh topic with {@code messages} published ({@code m0, m1...}), subscribed on the shared
   * nsqd on channel {@code scenario}.
   */
  private String subscribedWithBacklog(String scenario, int messages, int maxInFlight)
      throws Exception {
    String topic = bed.topic(scenario);
    publish(topic, messages);
    subscribe(topic, scenario, List.of(NsqTestBed.NSQD_TCP), maxInFlight);
    return topic;
  }

  private void subscribe(String topic, String channel, List<String> nsqds, int maxInFlight) {
    client = new LanesBridge.BridgeClient<>(recorded);
    Subscriber subscriber = new LanesBridge.BridgeSubscriber(client, 1, nsqds, List.of());
    subscriber.setMaxFlushDelayMillis(200);
    subscriber.subscribe(topic, channel, maxInFlight, recorded::message);
  }

  /** What the bridge reported, in order; message callbacks run on one thread of the test. */
  private static final class Recorded implements LanesBridge.Connections<String> {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<String> handled = new CopyOnWriteArrayList<>();
    final BlockingQueue<Message> received = new LinkedBlockingQueue<>();
    final ExecutorService handOverThread =
        Executors.newSingleThreadExecutor(r -> new Thread(r, "test-nsq-handover"));
    private final AtomicInteger ids = new AtomicInteger();
    private final ThreadLocal<String> current = new ThreadLocal<>();

    @Override
    public String opening(String host) {
      String connection = "c" + ids.incrementAndGet() + "@" + host;
      events.add("opening " + connection);
      return connection;
    }

    @Override
    public void closed(String connection) {
      events.add("closed " + connection);
    }

    @Override
    public void checking(String topic) {
      events.add("checking " + topic);
    }

    @Override
    public void handOver(String connection, Runnable callback) {
      handOverThread.execute(
          () -> {
            current.set(connection);
            try {
              callback.run();
            } finally {
              current.remove();
            }
          });
    }

    void message(Message m) {
      handled.add(current.get() + " on " + Thread.currentThread().getName());
      received.add(m);
    }

    List<String> closedOnes() {
      return events.stream().filter(e -> e.startsWith("closed ")).map(e -> e.substring(7)).toList();
    }

    List<Message> take(int n) throws InterruptedException {
      List<Message> got = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Message m = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(m).as(assumption("message %d of %d reaches the executor", i + 1, n)).isNotNull();
        got.add(m);
      }
      return got;
    }
  }

  /** How a broken assumption reads: the nsq-j version, what no longer holds, where to look. */
  private static String assumption(String what, Object... args) {
    return "nsq-j "
        + NSQJ_VERSION
        + " broke an assumption of Lanes' NSQ transport (LanesBridge; docs/transports/nsq.md,"
        + " nsq-j assumptions): "
        + String.format(what, args);
  }

  private static void member(String what, String type, String name, String parameterType) {
    assertThatCode(
            () -> {
              Class<?> owner = Class.forName("com.sproutsocial.nsq." + type);
              if (parameterType == null) {
                owner.getDeclaredMethod(name);
              } else {
                owner.getDeclaredMethod(
                    name, Class.forName("com.sproutsocial.nsq." + parameterType));
              }
            })
        .as(assumption("%s exists", what))
        .doesNotThrowAnyException();
  }

  private static void field(String what, String name, Class<?> type) {
    assertThatCode(
            () -> {
              Class<?> declared =
                  Class.forName("com.sproutsocial.nsq.Connection").getDeclaredField(name).getType();
              if (!type.isAssignableFrom(declared)) {
                throw new AssertionError(name + " is a " + declared.getName());
              }
            })
        .as(assumption("%s exists", what))
        .doesNotThrowAnyException();
  }

  private static String nsqjVersion() {
    try (InputStream in =
        Client.class.getResourceAsStream("/META-INF/maven/com.sproutsocial/nsq-j/pom.properties")) {
      if (in == null) {
        return "(unknown version)";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "(unknown version)");
    } catch (IOException e) {
      return "(unknown version)";
    }
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
