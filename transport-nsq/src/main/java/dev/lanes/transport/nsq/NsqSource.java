package dev.lanes.transport.nsq;

import dev.lanes.api.Message;
import dev.lanes.api.Origin;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.spi.Delivery;
import dev.lanes.spi.DeliverySink;
import dev.lanes.spi.Source;
import dev.lanes.spi.TransportContext;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes one NSQ topic/channel with an nsq-j subscriber ({@link NsqClientAdapter}), on the nsqd
 * nodes nsqlookupd lists or on fixed nsqd addresses; with {@code nsq.partitions}, the channel of
 * each owned partition's topic through the same subscriber, each with an equal share of {@code
 * maxInFlight}, after the {@link PartitionGuard} found no other consumer on them.
 *
 * <p>Flow: nsq-j's reader threads hand each message to the receiver thread, which keeps nsqd's
 * delivery order, wraps it in a {@link Delivery} and passes it to the sink. The RDY count ({@code
 * maxInFlight}) bounds what nsqd sends before anything is settled; {@link #pause()} sets it to 0
 * (see {@link RdyControl}).
 *
 * <p>A connection lost with messages in flight: nsqd requeues them after its message timeout; their
 * deliveries go stale and are counted ({@link #redeliveries()}). nsq-j re-opens the connection at
 * the next lookup ({@link #reconnects()}).
 *
 * <p>Stop: {@link #stopReceiving()} runs NSQ's close handshake: CLS on every connection, so nsqd
 * sends nothing more and answers CLOSE_WAIT after the last message it had sent; those messages
 * still go to the lanes, so none is handed back out of order. Then the gate closes (a message that
 * still arrives is requeued at once, never handed out) and nsq-j's subscriber stop closes every
 * connection with nothing in flight. Every FIN, REQ or TOUCH after that is written at once (nsq-j
 * no longer batches them), and a connection closes itself when its last message is settled, so
 * {@link #flush()} has nothing left to do. {@link #close()} requeues (REQ 0) what is still
 * unsettled, so the next consumer gets it without waiting for the message timeout, then stops the
 * nsq-j client. Thread-safe.
 */
final class NsqSource implements Source {

  /** nsqd's default {@code --min-output-buffer-timeout}: it refuses an IDENTIFY asking less. */
  private static final long NSQD_MIN_OUTPUT_BUFFER_TIMEOUT_MS = 25;

  private static final Logger log = LoggerFactory.getLogger(NsqSource.class);

  /**
   * How long {@link #close()} lets nsq-j close connections on its own before it closes them. Short:
   * every REQ is on the wire already (with RDY 0 nsq-j writes each at once), and nsq-j closes a
   * connection by itself only when its in-flight count reaches 0, a count that also keeps messages
   * which timed out and came again, so it may never get there.
   */
  private static final int CLIENT_STOP_MILLIS = 250;

  /**
   * How long {@link #stopReceiving()} waits for nsqd's CLOSE_WAIT. nsqd answers as soon as it has
   * read the CLS, behind the messages it had sent (at most the RDY count), so this is a bound for a
   * broken connection or an overloaded nsqd, not a wait the normal stop comes near.
   */
  private static final Duration CLOSE_HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);

  /**
   * nsq-j batches FIN/REQ/TOUCH and writes them when a third of the RDY count (at most 150) is
   * pending or, on a timer, once this much time passed (nsq-j's default is 2 s). Short, so that at
   * low rates a settle reaches nsqd soon and a TOUCH well within the message timeout.
   */
  static final Duration MAX_FLUSH_DELAY = Duration.ofMillis(200);

  /** How long the stop waits for the receiver thread to hand out what it took. */
  private static final Duration RECEIVER_IDLE_TIMEOUT = Duration.ofSeconds(5);

  private final String task;
  private final TransportContext context;
  private final NsqSettings settings;
  private final long msgTimeoutNanos;
  private final Lookupd lookupd;
  private final ChannelBacklog backlog;
  private final PartitionGuard guard;
  private final Map<String, Origin> origins;
  private final Map<String, NsqAcknowledger> held = new ConcurrentHashMap<>();
  private final AtomicInteger requeuedLate = new AtomicInteger();
  private final LongAdder redeliveries = new LongAdder();
  private volatile DeliverySink sink;
  private volatile boolean receiving;
  private volatile NsqClientAdapter nsq;
  private volatile RdyControl rdy;
  private volatile DeadLetters deadLetters;
  private boolean started;
  private boolean closed;

  /**
   * @param context the task, and the thread names ({@code lanes-<task>-nsq-receive}, {@code
   *     -nsq-rdy})
   */
  NsqSource(TransportContext context, NsqSettings settings) {
    this.task = context.task().name();
    this.context = context;
    this.settings = settings;
    this.msgTimeoutNanos = settings.msgTimeout().toNanos();
    NsqHttp plain = new NsqHttp(settings.httpTimeout());
    this.lookupd = new Lookupd(plain, settings.lookupd());
    this.backlog =
        new ChannelBacklog(
            settings, new NsqHttp(settings.httpTimeout(), settings.tls()), plain, lookupd);
    this.guard = new PartitionGuard(context.task(), settings, backlog);
    this.origins = origins(settings);
  }

  @Override
  public synchronized void start(DeliverySink sink) {
    if (started) {
      throw new IllegalStateException("task " + task + ": the NSQ source was already started");
    }
    started = true;
    Lookupd.Result found = settings.direct() ? null : lookupOrFail();
    if (settings.partitioned()) {
      try {
        guard.check();
      } catch (ReadyFailedException e) {
        close();
        throw e;
      }
    }
    this.sink = sink;
    List<String> topics = settings.ownedTopics();
    nsq =
        new NsqClientAdapter(
            task,
            settings,
            topics.size(),
            context.threads("nsq-receive", true),
            MAX_FLUSH_DELAY,
            this::lost);
    deadLetters =
        new DeadLetters(nsq.publisher(settings, settings.deadLetterTopic()), settings.channel());
    int perTopic = Math.max(1, settings.maxInFlight() / topics.size());
    rdy = new RdyControl(task, nsq, perTopic, context.threads("nsq-rdy", true));
    receiving = true;
    for (String topic : topics) {
      nsq.subscribe(topic, settings.channel(), perTopic, this::onMessage);
    }
    checkSubscribed(found);
    log.info(
        "task {}: consuming NSQ topic{} {} channel {} {} (maxInFlight {}, msgTimeout {}, "
            + "dead letters to {}, TLS {}, auth secret {})",
        task,
        topics.size() > 1 ? "s" : "",
        String.join(", ", topics),
        settings.channel(),
        settings.direct() ? "from nsqd " + settings.nsqd() : "via nsqlookupd " + settings.lookupd(),
        settings.maxInFlight(),
        settings.msgTimeout(),
        settings.deadLetterTopic(),
        settings.tls().enabled() ? "on" : "off",
        settings.authSecret());
    if (settings.tls().insecureSkipVerify()) {
      log.warn(
          "task {}: nsq.tls.insecureSkipVerify is true: nsqd's certificate is not verified, so"
              + " anyone on the path can read and change the traffic (for tests only)",
          task);
    }
  }

  private Lookupd.Result lookupOrFail() {
    Lookupd.Result found = lookupd.lookup(settings.ownedTopics().get(0));
    if (found.answered() == 0) {
      close();
      throw context
          .task()
          .failed(
              "nsq.lookupd",
              "no nsqlookupd answered ("
                  + String.join("; ", found.failures())
                  + "); start nsqlookupd or fix nsq.lookupd",
              null);
    }
    if (found.producers().isEmpty()) {
      log.info(
          "task {}: no nsqd carries topic {} yet; nsqlookupd is asked again every {}",
          task,
          settings.ownedTopics().get(0),
          settings.lookupInterval());
    }
    return found;
  }

  /** nsq-j logs and swallows connection failures; fail the start when nothing could subscribe. */
  private void checkSubscribed(Lookupd.Result found) {
    if (nsq.connectionCount() > 0) {
      return;
    }
    if (settings.direct()) {
      close();
      throw context
          .task()
          .failed(
              "nsq.nsqd",
              "no nsqd of "
                  + settings.nsqd()
                  + " accepted a subscription to topic "
                  + String.join(", ", settings.ownedTopics())
                  + " channel "
                  + settings.channel()
                  + " (see the nsq-j error above); start nsqd or fix nsq.nsqd; "
                  + refusalHint(),
              null);
    }
    if (!found.producers().isEmpty()) {
      close();
      throw context
          .task()
          .failed(
              "nsq.lookupd",
              "nsqlookupd lists nsqd "
                  + found.producers().stream().map(Lookupd.Producer::tcpAddress).toList()
                  + " for topic "
                  + settings.ownedTopics().get(0)
                  + " but none accepted a subscription (see the nsq-j error above); "
                  + "check that those nsqd run and are reachable from here; "
                  + refusalHint(),
              null);
    }
  }

  /**
   * What to check about TLS, AUTH and the output buffer timeout when nsqd refused every connection
   * (nsq-j logs why).
   */
  private String refusalHint() {
    String tls =
        settings.tls().enabled()
            ? "with TLS, nsq.tls.caFile must hold the CA of nsqd's certificate, issued for the"
                + " host connected to"
            : "nsq.tls.enabled is false: set it to true when nsqd runs with --tls-required";
    String auth =
        settings.authSecret().isSet()
            ? "nsqd's auth server must accept nsq.authSecret"
            : "nsq.authSecret is not set: set it (or LANES_NSQ_AUTH_SECRET) when nsqd runs with"
                + " --auth-http-address";
    long bufferMillis = settings.outputBufferTimeout().toMillis();
    String buffer =
        bufferMillis < NSQD_MIN_OUTPUT_BUFFER_TIMEOUT_MS
            ? "; nsq.outputBufferTimeout is "
                + bufferMillis
                + "ms: nsqd refuses less than its --min-output-buffer-timeout ("
                + NSQD_MIN_OUTPUT_BUFFER_TIMEOUT_MS
                + "ms by default)"
            : "";
    return tls + "; " + auth + buffer;
  }

  /** Runs on the receiver thread, in the order nsqd delivered. */
  private void onMessage(com.sproutsocial.nsq.Message nsq, NsqConnection connection) {
    if (!receiving) {
      if (connection.isOpen()) {
        nsq.requeue(0); // arrived after the stop: back to nsqd at once, never handed out
        requeuedLate.incrementAndGet();
      } else {
        redeliveries.increment();
      }
      return;
    }
    Message message = toMessage(nsq);
    NsqAcknowledger acknowledger = new NsqAcknowledger(nsq, message, this, connection);
    NsqAcknowledger earlier = held.put(NsqAcknowledger.heldKey(nsq), acknowledger);
    if (earlier != null) {
      earlier.supersede();
    }
    if (!connection.isOpen() && acknowledger.takeBackLost()) {
      redeliveries.increment(); // its connection closed while it waited for this thread
    }
    sink.accept(new Delivery(message, acknowledger));
  }

  /**
   * A connection closed: what it delivered and nobody settled, nsqd requeues after its message
   * timeout. Whatever the source requeued at its close is settled already.
   */
  private void lost(NsqConnection connection) {
    int inFlight = 0;
    for (NsqAcknowledger acknowledger : held.values()) {
      if (acknowledger.connection() == connection && acknowledger.takeBackLost()) {
        inFlight++;
      }
    }
    if (inFlight > 0) {
      redeliveries.add(inFlight);
      log.warn(
          "task {}: the connection to {} closed with {} NSQ messages in flight; nsqd hands them out"
              + " again after msgTimeout ({})",
          task,
          connection.host(),
          inFlight,
          settings.msgTimeout());
    }
  }

  /** Deliveries nsqd hands out again because their connection closed before they were settled. */
  @Override
  public OptionalLong redeliveries() {
    return OptionalLong.of(redeliveries.sum());
  }

  /** Connections to nsqd re-established after a loss. */
  @Override
  public OptionalLong reconnects() {
    NsqClientAdapter n = nsq;
    return OptionalLong.of(n == null ? 0 : n.reconnects());
  }

  private Message toMessage(com.sproutsocial.nsq.Message nsq) {
    Envelope.Contents contents;
    try {
      contents = Envelope.decode(nsq.getData());
    } catch (IllegalArgumentException e) {
      log.warn(
          "task {}: message {} looks like a Lanes envelope but is not one ({}); "
              + "delivering its body as it is",
          task,
          nsq.getId(),
          e.getMessage());
      contents = new Envelope.Contents(null, Map.of(), nsq.getData());
    }
    return Message.builder()
        .id(nsq.getId())
        .key(contents.key())
        .payload(contents.payload())
        .headers(contents.headers())
        .attempt(Math.max(1, nsq.getAttempts()))
        .timestamp(Instant.ofEpochSecond(0, nsq.getTimestamp()))
        .origin(origins.get(nsq.getTopic()))
        .build();
  }

  /**
   * The origin of a message by the topic it came from: {@code Origin(topic, -1, -1)}, or {@code
   * Origin(topic, p, -1)} for a partition's topic {@code <topic>.p}.
   */
  private static Map<String, Origin> origins(NsqSettings settings) {
    if (!settings.partitioned()) {
      return Map.of(settings.topic(), Origin.of(settings.topic()));
    }
    Map<String, Origin> origins = new HashMap<>();
    for (int p : settings.ownedPartitions()) {
      origins.put(settings.partitionTopic(p), new Origin(settings.topic(), p, -1));
    }
    return Map.copyOf(origins);
  }

  /** Called by an acknowledger that settled. */
  void settled(NsqAcknowledger acknowledger) {
    held.remove(acknowledger.heldKey(), acknowledger);
  }

  DeadLetters deadLetters() {
    return deadLetters;
  }

  String task() {
    return task;
  }

  /** How long nsqd waits for a FIN or TOUCH before it takes a message back. */
  long msgTimeoutNanos() {
    return msgTimeoutNanos;
  }

  @Override
  public void pause() {
    RdyControl r = rdy;
    if (r != null) {
      r.pause();
    }
  }

  @Override
  public void resume() {
    RdyControl r = rdy;
    if (r != null) {
      r.resume();
    }
  }

  /**
   * CLS on every connection and, once nsqd answered CLOSE_WAIT (or {@link #CLOSE_HANDSHAKE_TIMEOUT}
   * passed), the messages it sent before are handed to the sink; then the gate closes and nsq-j's
   * subscriber stops (no more lookups; connections close as their last message settles).
   */
  @Override
  public synchronized void stopReceiving() {
    if (!receiving) {
      return;
    }
    rdy.stop();
    NsqClientAdapter.Handshake handshake = nsq.closeHandshake(CLOSE_HANDSHAKE_TIMEOUT);
    awaitReceiverIdle(); // what nsqd sent before CLOSE_WAIT still goes to the lanes
    receiving = false;
    awaitReceiverIdle(); // and nothing more once this returns
    nsq.stopSubscriber();
    if (!handshake.complete()) {
      log.warn(
          "task {}: {} of {} NSQ connections did not answer CLS with CLOSE_WAIT within {} s ({});"
              + " a message nsqd sent there after this is requeued and may come again out of"
              + " order",
          task,
          handshake.connections() - handshake.answered(),
          handshake.connections(),
          CLOSE_HANDSHAKE_TIMEOUT.toSeconds(),
          String.join("; ", handshake.failures()));
    }
    log.info(
        "task {}: stopped receiving from NSQ topic {} channel {} (CLS; CLOSE_WAIT from {} of {}"
            + " connections); {} unsettled",
        task,
        String.join(", ", settings.ownedTopics()),
        settings.channel(),
        handshake.answered(),
        handshake.connections(),
        held.size());
  }

  /** Waits until the receiver thread has handed out whatever it took before the gate closed. */
  private void awaitReceiverIdle() {
    if (!nsq.awaitReceiverIdle(RECEIVER_IDLE_TIMEOUT)) {
      log.warn(
          "task {}: the NSQ receiver thread did not go idle within {} s",
          task,
          RECEIVER_IDLE_TIMEOUT.toSeconds());
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (nsq != null) {
      stopReceiving();
      int unsettled = held.size();
      held.values().forEach(NsqAcknowledger::requeueOnClose);
      held.clear();
      if (unsettled > 0) {
        log.info(
            "task {}: requeued {} unsettled NSQ messages for the next consumer", task, unsettled);
      }
      if (requeuedLate.get() > 0) {
        log.warn(
            "task {}: {} NSQ messages arrived after the stop and were requeued at once; they may"
                + " come again behind later messages of their key",
            task,
            requeuedLate.get());
      }
    }
    if (nsq != null) {
      nsq.stop(CLIENT_STOP_MILLIS); // closes connections and the publisher, stops the receiver
    }
  }

  @Override
  public String destinationName() {
    return settings.topic();
  }

  @Override
  public Optional<String> consumerGroup() {
    return Optional.of(settings.channel());
  }

  @Override
  public Duration touchInterval() {
    return settings.touchInterval();
  }

  /**
   * The owned partitions' topics with {@code nsq.partitions}; owned from the start to the close
   * (static ownership).
   */
  @Override
  public Optional<Set<String>> ownedPartitions() {
    return settings.partitioned()
        ? Optional.of(Set.copyOf(settings.ownedTopics()))
        : Optional.empty();
  }

  /**
   * Depth + deferred + in flight of the channel, summed over its nsqd nodes (and its owned
   * partitions' topics).
   */
  @Override
  public OptionalLong backlog() {
    try {
      return backlog.read().map(s -> OptionalLong.of(s.backlog())).orElse(OptionalLong.empty());
    } catch (IOException e) {
      log.debug("task {}: NSQ backlog unavailable: {}", task, e.toString());
      return OptionalLong.empty();
    }
  }

  /** The channel's counters over its nsqd nodes; empty when unknown. */
  Optional<ChannelStats> channelStats() throws IOException {
    return backlog.read();
  }

  @Override
  public boolean isConnected() {
    NsqClientAdapter n = nsq;
    return receiving && n != null && n.connectionCount() > 0;
  }
}
