package com.sproutsocial.nsq;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * An nsq-j {@link Client} that can run NSQ's close handshake on its subscriber connections: {@code
 * CLS}, to which nsqd answers {@code CLOSE_WAIT}. Part of Lanes' NSQ transport, not of nsq-j.
 *
 * <p>Why: on {@code CLS} nsqd sets RDY 0, sends nothing more, and answers {@code CLOSE_WAIT} on the
 * same connection after every message it sent before. Once the answer is read, every message nsqd
 * had on its way has reached the client, and the connection can close without leaving one in flight
 * that nsqd would time out and requeue behind later messages of its key. go-nsq's {@code
 * Consumer.Stop} does the same. nsq-j 1.2's own stop sends only RDY 0 and closes a connection as
 * soon as its in-flight count is 0, which may be before messages still on the wire arrive.
 *
 * <p>Why in nsq-j's package: nsq-j 1.2 has no CLS and does not expose its connections. This class
 * reaches package-private members, each named here so that an nsq-j upgrade that changes them fails
 * to compile or fails {@code CloseHandshakeClientTest}: {@code Client.addSubConnection} and {@code
 * Client.connectionClosed} (overridden to know the open subscriber connections), {@code
 * Connection.out} and {@code Connection.flush()} (to write CLS under the connection's lock, as
 * nsq-j writes its own commands), and {@code Connection.respQueue} (where nsq-j's reader thread
 * puts every response frame; after CLS the next one is {@code CLOSE_WAIT}). nsq-j's reader thread
 * hands each message to the client's executor before it reads the next frame, so when {@code
 * CLOSE_WAIT} is read, every message sent before it is in the executor. Like {@code
 * FixedNsqdSubscriber} it needs nsq-j on the same class loader and no JPMS module.
 */
public class CloseHandshakeClient extends Client {

  private static final byte[] CLS = "CLS\n".getBytes(StandardCharsets.US_ASCII);
  private static final String CLOSE_WAIT = "CLOSE_WAIT";

  private final Set<SubConnection> open = ConcurrentHashMap.newKeySet();

  @Override
  void addSubConnection(SubConnection connection) {
    open.add(connection);
    super.addSubConnection(connection);
  }

  @Override
  void connectionClosed(SubConnection connection) {
    open.remove(connection);
    super.connectionClosed(connection);
  }

  /**
   * Sends {@code CLS} on every open subscriber connection and waits, at most {@code timeout} in
   * all, until each has answered {@code CLOSE_WAIT}. The connections stay open: FIN, REQ and TOUCH
   * still work; nsq-j's {@code Subscriber.stop()} closes them afterwards. Call it once, after the
   * subscriber's RDY changes have stopped (nsqd ignores RDY after CLS anyway). Thread-safe.
   */
  public Handshake closeHandshake(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<SubConnection> connections = List.copyOf(open);
    List<SubConnection> asked = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (SubConnection connection : connections) {
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
    return new Handshake(connections.size(), answered, failures);
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

  /**
   * What {@link #closeHandshake} saw.
   *
   * @param connections the open subscriber connections
   * @param answered how many answered {@code CLOSE_WAIT} in time
   * @param failures for every other connection, its host and what happened instead
   */
  public record Handshake(int connections, int answered, List<String> failures) {

    public Handshake {
      failures = List.copyOf(failures);
    }

    /** Every connection answered: nothing nsqd sent is still on its way. */
    public boolean complete() {
      return answered == connections;
    }
  }
}
