package dev.lanes.dispatch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * The retries a lane holds in process, by key and by due time, with the later messages of each
 * parked key waiting behind it so per-key order holds while the lane serves other keys. Confined to
 * the lane's thread.
 */
final class ParkedRetries {

  private final Map<Object, Envelope> byKey = new HashMap<>();
  private final PriorityQueue<Envelope> byDue =
      new PriorityQueue<>(Comparator.comparingLong(e -> e.dueNanos));
  private int waitingCount;

  boolean blocks(Object key) {
    return key != null && !byKey.isEmpty() && byKey.containsKey(key); // hot: mostly none parked
  }

  /** Queues {@code envelope} behind the parked retry of its key. */
  void waitBehind(Envelope envelope) {
    Envelope head = byKey.get(envelope.key);
    if (head.waiting == null) {
      head.waiting = new ArrayDeque<>();
    }
    head.waiting.add(envelope);
    waitingCount++;
  }

  /**
   * Parks {@code envelope} until {@code dueNanos}; its own waiting queue, if any, stays with it.
   */
  void park(Envelope envelope, long dueNanos) {
    envelope.dueNanos = dueNanos;
    byKey.put(envelope.parkKey(), envelope);
    byDue.add(envelope);
  }

  /** Removes and returns the earliest retry due at {@code nowNanos}, or {@code null}. */
  Envelope pollDue(long nowNanos) {
    Envelope first = byDue.peek();
    if (first == null || first.dueNanos - nowNanos > 0) {
      return null;
    }
    return unpark(byDue.poll());
  }

  /** Removes and returns every parked retry, earliest first; their waiting queues come along. */
  List<Envelope> drainAll() {
    List<Envelope> all = new ArrayList<>(byDue.size());
    Envelope e;
    while ((e = byDue.poll()) != null) {
      all.add(unpark(e));
    }
    return all;
  }

  /** Removes and returns the parked retries due after {@code lastNanos}, earliest first. */
  List<Envelope> removeDueAfter(long lastNanos) {
    List<Envelope> late = new ArrayList<>();
    for (Envelope e : byDue) {
      if (e.dueNanos - lastNanos > 0) {
        late.add(e);
      }
    }
    late.sort(Comparator.comparingLong(e -> e.dueNanos));
    late.forEach(e -> unpark(e));
    byDue.removeAll(late);
    return late;
  }

  private Envelope unpark(Envelope envelope) {
    byKey.remove(envelope.parkKey());
    return envelope;
  }

  /** Takes the next waiting message of a released key, keeping the count right. */
  Envelope nextWaiting(Envelope head) {
    Envelope next = head.waiting == null ? null : head.waiting.poll();
    if (next != null) {
      waitingCount--;
    }
    return next;
  }

  /** Moves the rest of {@code from}'s waiting queue behind {@code to}, now parked in its place. */
  void handOver(Envelope from, Envelope to) {
    if (from.waiting != null && !from.waiting.isEmpty()) {
      to.waiting = from.waiting;
    }
    from.waiting = null;
  }

  /** Called for every parked retry and every message waiting behind one. */
  void forEachHeld(Consumer<Envelope> action) {
    for (Envelope head : byDue) {
      action.accept(head);
      if (head.waiting != null) {
        head.waiting.forEach(action);
      }
    }
  }

  long nextDueNanos(long ifNone) {
    Envelope first = byDue.peek();
    return first == null ? ifNone : first.dueNanos;
  }

  boolean isEmpty() {
    return byDue.isEmpty();
  }

  int size() {
    return byDue.size();
  }

  /** Messages waiting behind parked retries (counted in the lane's depth for backpressure). */
  int waitingCount() {
    return waitingCount;
  }

  /** Forgets a waiting message that will not be handled (abandoned at the deadline). */
  void abandonWaiting(Envelope head) {
    if (head.waiting != null) {
      waitingCount -= head.waiting.size();
      head.waiting = null;
    }
  }
}
