package dev.lanes.dispatch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A lane's own queue ({@code routing = lane}): the dispatcher routes each key to one lane, the lane
 * takes in arrival order, and a STOP queued last ends it after everything before. Only the lane's
 * thread takes; any thread adds. A batch is added under one lock acquisition and wakes the lane at
 * most once, and only when the queue was empty (the lane waits only then).
 */
final class LaneInbox implements Inbox {

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final ArrayDeque<Envelope> queue = new ArrayDeque<>(); // guarded by lock
  private volatile int size; // written under lock, read by anyone

  void add(Envelope envelope) {
    lock.lock();
    try {
      queue.add(envelope);
      size = queue.size();
      if (size == 1) {
        notEmpty.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Queues {@code envelopes} in order, behind everything queued before. */
  void addAll(List<Envelope> envelopes) {
    lock.lock();
    try {
      boolean wasEmpty = queue.isEmpty();
      queue.addAll(envelopes);
      size = queue.size();
      if (wasEmpty && size > 0) {
        notEmpty.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Envelope poll(long timeout, TimeUnit unit) throws InterruptedException {
    long nanos = unit.toNanos(timeout);
    lock.lockInterruptibly();
    try {
      while (queue.isEmpty()) {
        if (nanos <= 0) {
          return null;
        }
        nanos = notEmpty.awaitNanos(nanos);
      }
      return take();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Envelope poll() {
    lock.lock();
    try {
      return queue.isEmpty() ? null : take();
    } finally {
      lock.unlock();
    }
  }

  private Envelope take() {
    Envelope next = queue.poll();
    size = queue.size();
    return next;
  }

  @Override
  public void done(Envelope taken) {
    // the lane thread itself orders a key's messages
  }

  @Override
  public int forget(Envelope head) {
    return 0; // the messages behind a parked retry wait in the lane, not here
  }

  @Override
  public void stop() {
    add(Envelope.STOP);
  }

  @Override
  public void drainTo(Collection<Envelope> into) {
    lock.lock();
    try {
      into.addAll(queue);
      queue.clear();
      size = 0;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int ownSize() {
    return size;
  }

  @Override
  public void forEachOwn(Consumer<Envelope> action) {
    List<Envelope> queued;
    lock.lock();
    try {
      queued = new ArrayList<>(queue); // the action (a broker touch) runs outside the lock
    } finally {
      lock.unlock();
    }
    for (Envelope e : queued) {
      if (e != Envelope.STOP) {
        action.accept(e);
      }
    }
  }

  @Override
  public boolean shared() {
    return false;
  }

  @Override
  public void parkedRetriesChanged(int delta) {
    // a lane's parked retries count through its depth
  }
}
