package com.sproutsocial.nsq;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Lanes' only code in nsq-j's package, and the only place that reaches nsq-j's package-private
 * members. Part of Lanes' NSQ transport, not of nsq-j; used only by {@code
 * dev.lanes.transport.nsq.NsqClientAdapter}. It needs nsq-j on the same class loader (the class
 * path, a shaded jar) and no JPMS module.
 *
 * <p>What it relies on in nsq-j 1.2, each checked by {@code NsqjAssumptionsTest} against the real
 * nsqd (and listed in docs/transports/nsq.md, "nsq-j assumptions"):
 *
 * <ol>
 *   <li>Every subscriber connection takes its handler executor from {@link Client#getExecutor()}
 *       when it is built (field {@code Connection.handlerExecutor}) and hands each message to it,
 *       in the order read, before it reads the next frame. {@link BridgeClient} gives each
 *       connection an executor of its own, so every message callback is known by its connection.
 *   <li>{@code Client.addSubConnection} is called once for every subscriber connection before it
 *       connects, and {@code Client.connectionClosed} once after it closed, whoever closed it (the
 *       stop, nsqd, the network, a failed connect).
 *   <li>{@code Subscriber.lookupTopic(String)} returns the package-private {@code HostAndPort} and
 *       is called for a subscription when it subscribes and at every lookup interval, before its
 *       connections are checked and lost ones re-opened.
 *   <li>NSQ's close handshake: {@code CLS} written on {@code Connection.out} and flushed with
 *       {@code Connection.flush()} under the connection's lock is answered with {@code CLOSE_WAIT}
 *       in {@code Connection.respQueue}, where nsq-j's reader puts every response frame.
 * </ol>
 */
public final class LanesBridge {

  private LanesBridge() {}

  /**
   * What the bridge reports about subscriber connections; called on nsq-j's threads (the one
   * connecting, its scheduler), so it must not block.
   *
   * @param <C> the caller's handle of one connection
   */
  public interface Connections<C> {

    /** A connection to {@code host} ({@code host:port}) is about to connect; its handle. */
    C opening(String host);

    /** The connection closed, or never connected. Once per {@link #opening}. */
    void closed(C connection);

    /** The subscriber is about to check the connections of {@code topic} and re-open lost ones. */
    void checking(String topic);

    /** Runs a message callback of {@code connection}; callbacks must keep their order. */
    void handOver(C connection, Runnable callback);
  }

  /**
   * An nsq-j client that reports its subscriber connections and can run NSQ's close handshake on
   * them.
   */
  public static final class BridgeClient<C> extends Client {

    private static final byte[] CLS = "CLS\n".getBytes(StandardCharsets.US_ASCII);
    private static final String CLOSE_WAIT = "CLOSE_WAIT";

    private final Connections<C> connections;
    private final Set<SubConnection> open = ConcurrentHashMap.newKeySet();

    public BridgeClient(Connections<C> connections) {
      this.connections = connections;
    }

    /** One executor per connection (assumption 1); nsq-j's own pool is never created. */
    @Override
    public ExecutorService getExecutor() {
      return new ConnectionExecutor<>(connections);
    }

    @Override
    void addSubConnection(SubConnection connection) {
      ConnectionExecutor<C> executor = executorOf(connection);
      executor.handle = connections.opening(connection.getHost().toString());
      open.add(connection);
      super.addSubConnection(connection);
    }

    @Override
    void connectionClosed(SubConnection connection) {
      open.remove(connection);
      super.connectionClosed(connection);
      C handle = executorOf(connection).handle;
      if (handle != null) { // null only when its opening failed
        connections.closed(handle);
      }
    }

    @SuppressWarnings("unchecked")
    private ConnectionExecutor<C> executorOf(SubConnection connection) {
      if (!(connection.handlerExecutor instanceof ConnectionExecutor)) {
        throw new IllegalStateException(
            "nsq-j's connection to "
                + connection.getHost()
                + " did not take its executor from Client.getExecutor(): an nsq-j change broke"
                + " an assumption of Lanes (see docs/transports/nsq.md, nsq-j assumptions)");
      }
      return (ConnectionExecutor<C>) connection.handlerExecutor;
    }

    /**
     * Sends {@code CLS} on every open subscriber connection and waits, at most {@code timeout} in
     * all, until each has answered {@code CLOSE_WAIT}. The connections stay open: FIN, REQ and
     * TOUCH still work. Call it once, after RDY changes have stopped. Thread-safe.
     */
    public Handshake closeHandshake(Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      List<SubConnection> all = List.copyOf(open);
      List<SubConnection> asked = new ArrayList<>();
      List<String> failures = new ArrayList<>();
      for (SubConnection connection : all) {
        try {
          synchronized (connection) {
            connection.out.write(CLS);
            connection.flush();
          }
          asked.add(connection);
        } catch (IOException | RuntimeException e) {
          failures.add(connection.getHost() + ": CLS not sent (" + e + ")");
        }
      }
      int answered = 0;
      for (SubConnection connection : asked) {
        String response = awaitResponse(connection, deadline);
        if (CLOSE_WAIT.equals(response)) {
          answered++;
        } else {
          failures.add(
              connection.getHost() + ": " + (response == null ? "no answer in time" : response));
        }
      }
      return new Handshake(all.size(), answered, failures);
    }

    private static String awaitResponse(SubConnection connection, long deadline) {
      try {
        return connection.respQueue.poll(
            Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
  }

  /**
   * What {@link BridgeClient#closeHandshake} saw.
   *
   * @param connections the open subscriber connections
   * @param answered how many answered {@code CLOSE_WAIT} in time
   * @param failures for every other connection, its host and what happened instead
   */
  public record Handshake(int connections, int answered, List<String> failures) {

    public Handshake {
      failures = List.copyOf(failures);
    }
  }

  /**
   * An nsq-j subscriber on a {@link BridgeClient} that reports every check of its connections; on
   * fixed nsqd addresses, or on the nsqd that nsqlookupd lists. nsq-j's own {@code
   * DirectSubscriber} always runs on the JVM-wide default client (whose handler pool of six threads
   * would reorder messages and whose stop stops every NSQ user of the process).
   */
  public static final class BridgeSubscriber extends Subscriber {

    private final Connections<?> connections;
    private final Set<HostAndPort> nsqds;

    /**
     * @param lookupIntervalSecs how often nsqlookupd is asked again (or the fixed list re-checked)
     *     and lost connections re-opened, in seconds
     * @param nsqds nsqd TCP addresses ({@code host:port}); empty: ask {@code lookupds}
     * @param lookupds nsqlookupd HTTP addresses ({@code host:port})
     */
    public BridgeSubscriber(
        BridgeClient<?> client, int lookupIntervalSecs, List<String> nsqds, List<String> lookupds) {
      super(client, lookupIntervalSecs, 5, lookupds.toArray(new String[0]));
      this.connections = client.connections;
      Set<HostAndPort> hosts = new LinkedHashSet<>();
      for (String nsqd : nsqds) {
        hosts.add(HostAndPort.fromString(nsqd).withDefaultPort(4150));
      }
      this.nsqds = Collections.unmodifiableSet(hosts);
    }

    @Override
    protected Set<HostAndPort> lookupTopic(String topic) {
      connections.checking(topic);
      return nsqds.isEmpty() ? super.lookupTopic(topic) : nsqds;
    }
  }

  /** The executor of one connection: hands its callbacks over with the connection's handle. */
  private static final class ConnectionExecutor<C> extends AbstractExecutorService {

    private final Connections<C> connections;
    private volatile C handle; // set before the connection's reader thread starts

    ConnectionExecutor(Connections<C> connections) {
      this.connections = connections;
    }

    @Override
    public void execute(Runnable command) {
      connections.handOver(handle, command);
    }

    // the owner of the real executor shuts it down; nsq-j never shuts this one down

    @Override
    public void shutdown() {}

    @Override
    public List<Runnable> shutdownNow() {
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return false;
    }

    @Override
    public boolean isTerminated() {
      return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return false;
    }
  }
}
