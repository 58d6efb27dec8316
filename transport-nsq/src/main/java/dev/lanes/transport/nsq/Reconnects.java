package dev.lanes.transport.nsq;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Counts subscriber connections re-established to an nsqd after a connection to it was lost (the
 * {@code lanes.transport.reconnects} meter). nsq-j re-opens lost connections at every lookup
 * interval and says nothing when a connect fails but closing it, so a new connection counts as
 * established once it delivered a message or is still open when the subscriber checks its
 * connections again a full round later; a failed connect, closed before, does not count. A
 * connection lost before either (within one lookup interval, without a message) is not counted as
 * re-established, nor its loss. Closes after {@link #stopping()} are no losses. Thread-safe.
 */
final class Reconnects {

  private final int topics;
  private final Map<NsqConnection, Long> unconfirmed = new HashMap<>();
  private final Map<String, Integer> lostByHost = new HashMap<>();
  private long checks;
  private long count;
  private boolean stopping;

  /**
   * @param topics how many topics the subscriber checks per lookup round
   */
  Reconnects(int topics) {
    this.topics = topics;
  }

  synchronized void opened(NsqConnection connection) {
    unconfirmed.put(connection, checks);
  }

  /** The subscriber checks the connections of one topic. */
  synchronized void checking() {
    checks++;
    for (Iterator<Map.Entry<NsqConnection, Long>> it = unconfirmed.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<NsqConnection, Long> e = it.next();
      if (checks - e.getValue() >= topics) {
        it.remove();
        established(e.getKey());
      }
    }
  }

  synchronized void closed(NsqConnection connection) {
    boolean unconfirmedYet = unconfirmed.remove(connection) != null;
    if (unconfirmedYet && !connection.hasDelivered()) {
      return; // never connected
    }
    if (unconfirmedYet) {
      established(connection);
    }
    if (!stopping) {
      lostByHost.merge(connection.host(), 1, Integer::sum);
    }
  }

  /** From now on connections close because the source stops. */
  synchronized void stopping() {
    stopping = true;
  }

  synchronized long count() {
    return count;
  }

  private void established(NsqConnection connection) {
    Integer lost = lostByHost.get(connection.host());
    if (lost != null) {
      if (lost == 1) {
        lostByHost.remove(connection.host());
      } else {
        lostByHost.put(connection.host(), lost - 1);
      }
      count++;
    }
  }
}
