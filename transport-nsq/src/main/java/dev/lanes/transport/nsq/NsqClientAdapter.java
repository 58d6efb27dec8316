package dev.lanes.transport.nsq;

import com.sproutsocial.nsq.Config;
import com.sproutsocial.nsq.LanesBridge;
import com.sproutsocial.nsq.Message;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.function.BiConsumer;

/**
 * The source's nsq-j client, subscriber and receiver thread: the one class of the transport that
 * uses {@link LanesBridge}, Lanes' code in nsq-j's package (see its list of the nsq-j internals it
 * relies on). What it offers the source: subscriptions whose messages arrive, in nsqd's order, on
 * one thread with the {@link NsqConnection} they came on; RDY changes; the close handshake; the
 * subscriber's stop and the client's; and the connections lost on the way, as events and as the
 * count of re-established ones. Thread-safe.
 */
final class NsqClientAdapter {

  /** What the source learns about connections. */
  interface Losses {
    /**
     * {@code connection} closed, whoever closed it; its messages can no longer be settled. Called
     * on an nsq-j thread.
     */
    void lost(NsqConnection connection);
  }

  /**
   * What {@link #closeHandshake} saw.
   *
   * @param connections the open subscriber connections
   * @param answered how many answered {@code CLOSE_WAIT} in time
   * @param failures for every other connection, its host and what happened instead
   */
  record Handshake(int connections, int answered, List<String> failures) {
    /** Every connection answered: nothing nsqd sent is still on its way. */
    boolean complete() {
      return answered == connections;
    }
  }

  private final Receiver receiver;
  private final Reconnects reconnects;
  private final LanesBridge.BridgeClient<NsqConnection> client;
  private final LanesBridge.BridgeSubscriber subscriber;
  private final List<Subscribed> subscribed = new CopyOnWriteArrayList<>();

  /** A topic and channel subscribed to. */
  private record Subscribed(String topic, String channel) {
    @Override
    public String toString() {
      return topic + "/" + channel;
    }
  }

  /**
   * A client (not connected yet) with TLS and AUTH from {@code settings}, and a subscriber on the
   * nsqd of {@code settings.nsqd()} or, when that is empty, on the ones nsqlookupd lists.
   *
   * @param topics how many topics will be subscribed to
   * @param receiverThreads makes the receiver thread
   * @param maxFlushDelay how long nsq-j may hold a FIN/REQ/TOUCH before writing it
   */
  NsqClientAdapter(
      String task,
      NsqSettings settings,
      int topics,
      ThreadFactory receiverThreads,
      Duration maxFlushDelay,
      Losses losses) {
    this.receiver = new Receiver(receiverThreads);
    this.reconnects = new Reconnects(topics);
    this.client = new LanesBridge.BridgeClient<>(new Events(receiver, reconnects, losses));
    Config config = new Config();
    config.setMsgTimeout((int) settings.msgTimeout().toMillis());
    config.setOutputBufferTimeout((int) settings.outputBufferTimeout().toMillis());
    config.setClientId(task);
    config.setUserAgent("lanes (nsq-j 1.2)");
    settings.tls().applyTo(client, config);
    settings.authSecret().applyTo(client);
    this.subscriber =
        new LanesBridge.BridgeSubscriber(
            client,
            (int) settings.lookupInterval().toSeconds(),
            settings.nsqd(),
            settings.direct() ? List.of() : settings.lookupd());
    subscriber.setConfig(config);
    // Lanes' retry policy decides when attempts are exhausted, not nsq-j
    subscriber.setMaxAttempts(Integer.MAX_VALUE);
    subscriber.setMaxFlushDelayMillis((int) maxFlushDelay.toMillis());
  }

  /**
   * Subscribes to {@code topic}/{@code channel} with RDY {@code maxInFlight}; {@code onMessage}
   * runs on the receiver thread, in the order nsqd sent. Connects before it returns (nsq-j logs a
   * failure and tries again at the next lookup).
   */
  void subscribe(
      String topic, String channel, int maxInFlight, BiConsumer<Message, NsqConnection> onMessage) {
    subscriber.subscribe(topic, channel, maxInFlight, m -> onMessage.accept(m, connectionOf(m)));
    subscribed.add(new Subscribed(topic, channel));
  }

  private NsqConnection connectionOf(Message message) {
    NsqConnection connection = receiver.current();
    if (connection == null) {
      throw new IllegalStateException(
          "nsq-j ran the callback of message "
              + message.getId()
              + " outside the executor of its connection: an nsq-j change broke an assumption of"
              + " Lanes (see docs/transports/nsq.md, nsq-j assumptions)");
    }
    return connection;
  }

  /** A publisher on this client (its TLS and AUTH), to {@code topic} on {@code publishTo}. */
  NsqPublisher publisher(NsqSettings settings, String topic) {
    return new NsqPublisher(client, false, settings, topic, 0);
  }

  /** RDY {@code maxInFlight} on every connection of every subscription. */
  void setMaxInFlight(int maxInFlight) {
    for (Subscribed subscription : subscribed) {
      subscriber.setMaxInFlight(subscription.topic(), subscription.channel(), maxInFlight);
    }
  }

  /** The subscriptions made, as {@code topic/channel}, for logs. */
  String subscriptions() {
    return subscribed.toString();
  }

  int connectionCount() {
    return subscriber.getConnectionCount();
  }

  /** Connections to nsqd re-established after one to the same nsqd was lost. */
  long reconnects() {
    return reconnects.count();
  }

  /**
   * CLS on every connection; returns once each answered CLOSE_WAIT or {@code timeout} passed. The
   * connections stay open for FIN, REQ and TOUCH.
   */
  Handshake closeHandshake(Duration timeout) {
    LanesBridge.Handshake h = client.closeHandshake(timeout);
    return new Handshake(h.connections(), h.answered(), h.failures());
  }

  /** Waits until the messages handed over so far have run; false after {@code timeout}. */
  boolean awaitReceiverIdle(Duration timeout) {
    return receiver.awaitIdle(timeout);
  }

  /** No more lookups; each connection closes once nothing is in flight on it. */
  void stopSubscriber() {
    reconnects.stopping();
    subscriber.stop();
  }

  /** Closes every connection (after at most {@code waitMillis}) and stops the receiver thread. */
  void stop(int waitMillis) {
    reconnects.stopping();
    client.stop(waitMillis);
    receiver.shutdownNow();
  }

  /** The bridge's reports, turned into connections, receiver hand-overs and counts. */
  private record Events(Receiver receiver, Reconnects reconnects, Losses losses)
      implements LanesBridge.Connections<NsqConnection> {

    @Override
    public NsqConnection opening(String host) {
      NsqConnection connection = new NsqConnection(host);
      reconnects.opened(connection);
      return connection;
    }

    @Override
    public void closed(NsqConnection connection) {
      connection.closed();
      reconnects.closed(connection);
      losses.lost(connection);
    }

    @Override
    public void checking(String topic) {
      reconnects.checking();
    }

    @Override
    public void handOver(NsqConnection connection, Runnable callback) {
      receiver.handOver(connection, callback);
    }
  }
}
