package dev.lanes.transport.local;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rows one source holds and the settlements queued for them. Lane threads {@link #submit}; the
 * poll thread (or {@link dev.lanes.spi.Source#flush()}) {@link #applyQueued applies} them in one
 * transaction; a batch that failed is kept and applied first next time. Thread-safe; applying is
 * serialized.
 */
final class Settler {

  private static final Logger log = LoggerFactory.getLogger(Settler.class);

  private final LocalStore store;
  private final Runnable wake;
  private final ConcurrentLinkedQueue<Settlement> queued = new ConcurrentLinkedQueue<>();
  private final Map<Long, LocalAcknowledger> held = new ConcurrentHashMap<>();
  private List<Settlement> unapplied = new ArrayList<>(); // guarded by this
  private volatile boolean closed;

  /**
   * @param wake called after each submit, to wake the poll thread
   */
  Settler(LocalStore store, Runnable wake) {
    this.store = store;
    this.wake = wake;
  }

  /** Starts holding a freshly claimed row. */
  void hold(LocalAcknowledger acknowledger) {
    held.put(acknowledger.stored().id(), acknowledger);
  }

  /** Stops holding a row whose lease is lost. */
  void forget(LocalAcknowledger acknowledger) {
    held.remove(acknowledger.stored().id(), acknowledger);
  }

  /** Queues {@code settlement}; ignored once the source is closed (its rows were given back). */
  void submit(Settlement settlement) {
    if (closed) {
      log.debug(
          "{} of message {} after the source closed: ignored, the message was given back",
          settlement.kind(),
          settlement.message().id());
      return;
    }
    queued.add(settlement);
    wake.run();
  }

  /** Called for a settlement of a delivery whose lease was already lost. */
  void lostSettlement(String what, StoredMessage message) {
    log.warn(
        "{} of message {} ignored: its lease was lost, so it will be delivered again",
        what,
        message.id());
  }

  /** Whether the source closed: its rows were given back. */
  boolean isClosed() {
    return closed;
  }

  /** Applies every queued settlement (and any left from a failed batch) in one transaction. */
  synchronized void applyQueued() throws SQLException {
    List<Settlement> batch = unapplied;
    for (Settlement s; (s = queued.poll()) != null; ) {
      batch.add(s);
    }
    unapplied = batch;
    if (batch.isEmpty()) {
      return;
    }
    apply(batch);
    unapplied = new ArrayList<>();
  }

  /** Extends the lease of every held, unsettled row to {@code deadline}. */
  synchronized void renewAll(long deadline) throws SQLException {
    List<Settlement> batch = new ArrayList<>();
    for (LocalAcknowledger a : held.values()) {
      if (!a.isSettled() && !a.isStale()) {
        batch.add(new Settlement(Settlement.Kind.RENEW, a.stored(), deadline, null));
      }
    }
    if (!batch.isEmpty()) {
      apply(batch);
    }
  }

  /**
   * Final step of closing: applies what is queued, then gives back every row still held so the next
   * consumer gets it at once; later submits are ignored.
   */
  synchronized void close() throws SQLException {
    closed = true;
    applyQueued();
    List<Settlement> batch = new ArrayList<>();
    for (LocalAcknowledger a : held.values()) {
      if (!a.isStale()) {
        batch.add(new Settlement(Settlement.Kind.RELEASE, a.stored(), 0, null));
      }
    }
    if (!batch.isEmpty()) {
      apply(batch);
      log.info(
          "gave back {} unsettled message(s) of queue '{}'",
          batch.size(),
          batch.get(0).message().queue());
    }
    held.clear();
  }

  private void apply(List<Settlement> batch) throws SQLException {
    boolean[] applied = store.settle(batch);
    for (int i = 0; i < batch.size(); i++) {
      Settlement s = batch.get(i);
      LocalAcknowledger a = held.get(s.message().id());
      if (a == null || a.stored().claim() != s.message().claim()) {
        continue;
      }
      if (!applied[i]) {
        log.warn(
            "{} of message {} had no effect: its lease expired and it was claimed again",
            s.kind(),
            s.message().id());
        a.markLost();
      } else if (s.isFinal()) {
        held.remove(s.message().id(), a);
      }
    }
  }
}
