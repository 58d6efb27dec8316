package dev.lanes.dispatch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The one queue all lanes of a task share under {@code routing = key}. Each key has a FIFO of its
 * messages; a key with messages and nothing in flight waits in a ready queue, and any lane takes
 * the oldest message of the key at its head. A key is in flight from that take until the lane calls
 * {@link #done} (a parked retry keeps it in flight), then goes to the back of the ready queue if it
 * has more: keys take turns, so none starves, and a slow key holds up only itself. A message
 * without a key is a key of its own (no order with anything).
 *
 * <p>Memory: one small entry per key with queued or running messages, dropped when the key goes
 * idle; the dispatcher bounds the messages by pausing the source on {@link #held()}. Thread-safe:
 * one lock, held only to move envelopes between queues (never while a handler or the broker is
 * called).
 */
final class KeyScheduler implements Inbox {

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition readyOrStopped = lock.newCondition();
  private final Map<Object, KeyQueue> byKey = new HashMap<>();
  private final ArrayDeque<KeyQueue> ready = new ArrayDeque<>();
  private final AtomicInteger parkedRetries = new AtomicInteger();
  private volatile int queued; // written under lock
  private boolean stopping; // guarded by lock

  /** One key's messages not yet started, and whether one of its messages is in flight. */
  private static final class KeyQueue {
    final Object key;
    final ArrayDeque<Envelope> messages = new ArrayDeque<>(4);
    boolean inFlight;

    KeyQueue(Object key) {
      this.key = key;
    }
  }

  /** Queues {@code envelope} behind the earlier messages of its key; called by source threads. */
  void add(Envelope envelope) {
    lock.lock();
    try {
      if (queue(envelope)) {
        readyOrStopped.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * As {@link #add} for each, in order, under one lock: one wake-up for each key that became ready
   * (an idle lane per key at the most).
   */
  void addAll(List<Envelope> envelopes) {
    lock.lock();
    try {
      for (Envelope envelope : envelopes) {
        if (queue(envelope)) {
          readyOrStopped.signal();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Queues one envelope; holds the lock. Returns whether its key became ready. */
  private boolean queue(Envelope envelope) {
    queued++;
    KeyQueue keyQueue;
    if (envelope.key == null) {
      keyQueue = new KeyQueue(null); // never in byKey: nothing waits for it
    } else {
      keyQueue = byKey.computeIfAbsent(envelope.key, KeyQueue::new);
    }
    keyQueue.messages.add(envelope);
    if (!keyQueue.inFlight && keyQueue.messages.size() == 1) {
      ready.add(keyQueue);
      return true;
    }
    return false;
  }

  /** Messages received and not started. */
  int queued() {
    return queued;
  }

  /** What the task holds against its bound: messages not started plus parked retries. */
  int held() {
    return queued + parkedRetries.get();
  }

  @Override
  public Envelope poll(long timeout, TimeUnit unit) throws InterruptedException {
    long nanos = unit.toNanos(timeout);
    lock.lockInterruptibly();
    try {
      while (true) {
        Envelope next = takeReady();
        if (next != null) {
          return next;
        }
        if (stopping && queued == 0) {
          return Envelope.STOP;
        }
        if (nanos <= 0) {
          return null;
        }
        nanos = readyOrStopped.awaitNanos(nanos);
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Envelope poll() {
    lock.lock();
    try {
      Envelope next = takeReady();
      return next != null || !stopping || queued > 0 ? next : Envelope.STOP;
    } finally {
      lock.unlock();
    }
  }

  private Envelope takeReady() {
    KeyQueue keyQueue = ready.poll();
    if (keyQueue == null) {
      return null;
    }
    keyQueue.inFlight = true;
    queued--;
    if (!ready.isEmpty()) {
      readyOrStopped.signal(); // pass the wake-up on: another idle lane can take the next key
    }
    return keyQueue.messages.poll();
  }

  @Override
  public void done(Envelope taken) {
    if (taken == null || taken == Envelope.STOP || taken.key == null) {
      return;
    }
    lock.lock();
    try {
      KeyQueue keyQueue = byKey.get(taken.key);
      if (keyQueue == null || !keyQueue.inFlight) {
        return;
      }
      keyQueue.inFlight = false;
      if (keyQueue.messages.isEmpty()) {
        byKey.remove(taken.key);
      } else {
        ready.add(keyQueue);
        readyOrStopped.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int forget(Envelope head) {
    if (head.key == null) {
      return 0;
    }
    lock.lock();
    try {
      KeyQueue keyQueue = byKey.remove(head.key);
      if (keyQueue == null) {
        return 0;
      }
      int dropped = keyQueue.messages.size();
      queued -= dropped;
      if (stopping && queued == 0) {
        readyOrStopped.signalAll();
      }
      return dropped;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void stop() {
    lock.lock();
    try {
      stopping = true;
      readyOrStopped.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void drainTo(Collection<Envelope> into) {
    lock.lock();
    try {
      // a key with messages is either ready (keyless ones only there) or in flight
      for (KeyQueue keyQueue : ready) {
        into.addAll(keyQueue.messages);
        keyQueue.messages.clear();
      }
      ready.clear();
      for (KeyQueue keyQueue : byKey.values()) {
        into.addAll(keyQueue.messages);
        keyQueue.messages.clear();
      }
      byKey.values().removeIf(keyQueue -> !keyQueue.inFlight);
      queued = 0;
      readyOrStopped.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Called for every queued message, outside the lock (a touch may talk to the broker). */
  void forEachQueued(Consumer<Envelope> action) {
    List<Envelope> all = new ArrayList<>();
    lock.lock();
    try {
      byKey.values().forEach(keyQueue -> all.addAll(keyQueue.messages));
      ready.forEach(
          keyQueue -> {
            if (keyQueue.key == null) {
              all.addAll(keyQueue.messages);
            }
          });
    } finally {
      lock.unlock();
    }
    all.forEach(action);
  }

  @Override
  public int ownSize() {
    return 0; // shared: the dispatcher counts it once
  }

  @Override
  public void forEachOwn(Consumer<Envelope> action) {
    // shared: the dispatcher touches it once
  }

  @Override
  public boolean shared() {
    return true;
  }

  @Override
  public void parkedRetriesChanged(int delta) {
    parkedRetries.addAndGet(delta);
  }
}
