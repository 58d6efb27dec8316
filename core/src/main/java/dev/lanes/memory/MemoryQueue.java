package dev.lanes.memory;

import dev.lanes.api.Message;
import dev.lanes.api.Origin;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A named queue of the in-memory broker: ready messages in publish order, delayed ones until due,
 * and unacked ones per consumer until settled (or returned when the consumer goes away). Ready
 * messages are two queues merged by publish sequence: fresh publishes (a FIFO, so a deep backlog
 * costs O(1) per message) and those ready again out of order (a small heap). Thread-safe.
 */
public final class MemoryQueue {

  private final String name;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  /** Fresh publishes, in publish order: appended with rising seq, so sorted by seq. */
  private final ArrayDeque<Stored> fresh = new ArrayDeque<>();

  /** Ready again out of publish order (given back, retried, delayed and now due), by seq. */
  private final PriorityQueue<Stored> returned =
      new PriorityQueue<>(Comparator.comparingLong(s -> s.seq));

  private final PriorityQueue<Stored> delayed =
      new PriorityQueue<>(Comparator.comparingLong(s -> s.dueNanos));

  private long nextSeq = 1;

  MemoryQueue(String name) {
    this.name = name;
  }

  /**
   * One stored message. {@code holder} is the consumer it was delivered to until settled or given
   * back: settling clears it with one compare-and-set, without the queue's lock, so lanes that ack
   * do not wait for the consumer that takes.
   */
  static final class Stored {
    private static final AtomicReferenceFieldUpdater<Stored, Object> HOLDER =
        AtomicReferenceFieldUpdater.newUpdater(Stored.class, Object.class, "holder");

    final long seq;
    Message message;
    long dueNanos;
    private volatile Object holder;

    Stored(long seq, Message message) {
      this.seq = seq;
      this.message = message;
    }
  }

  public String name() {
    return name;
  }

  /** Stores a message, deliverable after {@code delay}; returns its id. */
  public String publish(Message message, Duration delay) {
    lock.lock();
    try {
      long seq = nextSeq++;
      Message stored = message.toBuilder().origin(new Origin(name, -1, seq)).build();
      Stored entry = new Stored(seq, stored);
      if (delay.isZero() || delay.isNegative()) {
        fresh.add(entry);
        changed.signalAll();
      } else {
        schedule(entry, delay);
      }
      return stored.id();
    } finally {
      lock.unlock();
    }
  }

  private void schedule(Stored stored, Duration delay) {
    if (delay.isZero() || delay.isNegative()) {
      returned.add(stored);
    } else {
      stored.dueNanos = System.nanoTime() + delay.toNanos();
      delayed.add(stored);
    }
    changed.signalAll();
  }

  /**
   * Takes up to {@code max} deliverable messages for {@code owner}, in order, waiting up to {@code
   * maxWait} for the first.
   *
   * @return the messages, empty when none became deliverable in time
   */
  List<Stored> take(Object owner, int max, Duration maxWait) throws InterruptedException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    lock.lock();
    try {
      while (true) {
        promoteDue();
        Stored next = pollReady();
        if (next != null) {
          List<Stored> taken = new ArrayList<>(Math.min(max, 1 + fresh.size() + returned.size()));
          for (; next != null; next = taken.size() < max ? pollReady() : null) {
            next.holder = owner;
            taken.add(next);
          }
          return taken;
        }
        long wait = deadline - System.nanoTime();
        if (!delayed.isEmpty()) {
          wait = Math.min(wait, delayed.peek().dueNanos - System.nanoTime());
        }
        if (deadline - System.nanoTime() <= 0) {
          return List.of();
        }
        changed.awaitNanos(Math.max(wait, TimeUnit.MICROSECONDS.toNanos(100)));
      }
    } finally {
      lock.unlock();
    }
  }

  private void promoteDue() {
    long now = System.nanoTime();
    while (!delayed.isEmpty() && delayed.peek().dueNanos - now <= 0) {
      returned.add(delayed.poll());
    }
  }

  /** The ready message with the lowest publish sequence, or null. */
  private Stored pollReady() {
    Stored head = fresh.peek();
    Stored other = returned.peek();
    if (head == null || (other != null && other.seq < head.seq)) {
      return returned.poll();
    }
    return fresh.poll();
  }

  /**
   * Settles {@code stored} for {@code owner}.
   *
   * @return whether {@code owner} held it (false once settled, or given back with {@link
   *     #returnAll})
   */
  boolean settle(Stored stored, Object owner) {
    return Stored.HOLDER.compareAndSet(stored, owner, null);
  }

  /** Whether {@code owner} still holds {@code stored}. */
  static boolean isHeld(Stored stored, Object owner) {
    return stored.holder == owner;
  }

  /** Puts a settled-for-retry message back, deliverable after {@code delay}. */
  void reschedule(Stored stored, Message next, Duration delay) {
    lock.lock();
    try {
      stored.message = next;
      schedule(stored, delay);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Puts every one of {@code taken} that {@code owner} still holds back into the ready queue, in
   * original order (by publish sequence); the others were settled.
   */
  void returnAll(Iterable<Stored> taken, Object owner) {
    lock.lock();
    try {
      for (Stored stored : taken) {
        if (settle(stored, owner)) {
          returned.add(stored);
        }
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Messages not yet delivered (ready or delayed). */
  public long depth() {
    lock.lock();
    try {
      return fresh.size() + returned.size() + delayed.size();
    } finally {
      lock.unlock();
    }
  }
}
