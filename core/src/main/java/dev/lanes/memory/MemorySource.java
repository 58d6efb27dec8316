package dev.lanes.memory;

import dev.lanes.api.Message;
import dev.lanes.spi.Delivery;
import dev.lanes.spi.DeliverySink;
import dev.lanes.spi.LanesHeaders;
import dev.lanes.spi.SettleOnceAcknowledger;
import dev.lanes.spi.Source;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Consumes one {@link MemoryQueue} on a thread of its own. */
final class MemorySource implements Source {

  private static final Logger log = LoggerFactory.getLogger(MemorySource.class);
  private static final Duration TAKE_WAIT = Duration.ofMillis(100);

  /**
   * The most messages handed to the lanes at once: one lock of the queue and one hand-off per
   * batch, and at most one batch taken past a pause.
   */
  static final int MAX_BATCH = 64;

  private static final int MIN_TRIM = 1024;

  private final String task;
  private final MemoryQueue queue;
  private final int batch;
  private final ReentrantLock pauseLock = new ReentrantLock();
  private final Condition unpaused = pauseLock.newCondition();
  private volatile boolean paused;
  private volatile boolean receiving;
  private volatile boolean closed;
  private Thread consumer;

  /** Taken and perhaps still held, in order; guarded by itself. */
  private final ArrayDeque<MemoryQueue.Stored> held = new ArrayDeque<>();

  private int trimAt = MIN_TRIM; // guarded by held

  /**
   * @param lanesHold how many messages the task's lanes hold ({@code consumerNum × channelLength}):
   *     a batch is no larger, so what waits beyond the lanes stays in the queue and counts as its
   *     backlog
   */
  MemorySource(String task, MemoryQueue queue, int lanesHold) {
    this.task = task;
    this.queue = queue;
    this.batch = Math.max(1, Math.min(MAX_BATCH, lanesHold));
  }

  @Override
  public synchronized void start(DeliverySink sink) {
    receiving = true;
    consumer = new Thread(() -> consume(sink), "lanes-" + task + "-memory");
    consumer.start();
  }

  private void consume(DeliverySink sink) {
    try {
      while (receiving) {
        awaitUnpaused();
        List<MemoryQueue.Stored> taken = receiving ? queue.take(this, batch, TAKE_WAIT) : List.of();
        if (!taken.isEmpty()) {
          List<Delivery> deliveries = new ArrayList<>(taken.size());
          long receivedNanos = System.nanoTime(); // one receipt for the batch taken at once
          for (MemoryQueue.Stored stored : taken) {
            deliveries.add(
                new Delivery(stored.message, new MemoryAcknowledger(stored), receivedNanos));
          }
          keepHeld(taken);
          sink.acceptAll(deliveries);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Remembers what this source took, for {@link #close} to give back what it still holds; drops the
   * settled ones whenever the list doubled since it was last trimmed.
   */
  private void keepHeld(List<MemoryQueue.Stored> taken) {
    synchronized (held) {
      held.addAll(taken);
      if (held.size() >= trimAt) {
        held.removeIf(stored -> !MemoryQueue.isHeld(stored, this));
        trimAt = Math.max(MIN_TRIM, 2 * held.size());
      }
    }
  }

  private void awaitUnpaused() throws InterruptedException {
    pauseLock.lock();
    try {
      while (paused && receiving) {
        unpaused.await();
      }
    } finally {
      pauseLock.unlock();
    }
  }

  @Override
  public void pause() {
    paused = true;
  }

  @Override
  public void resume() {
    pauseLock.lock();
    try {
      paused = false;
      unpaused.signalAll();
    } finally {
      pauseLock.unlock();
    }
  }

  @Override
  public synchronized void stopReceiving() {
    receiving = false;
    resume();
    if (consumer != null) {
      try {
        consumer.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      stopReceiving();
      closed = true;
      synchronized (held) {
        queue.returnAll(held, this);
      }
    }
  }

  @Override
  public String destinationName() {
    return queue.name();
  }

  @Override
  public OptionalLong backlog() {
    return OptionalLong.of(queue.depth());
  }

  /**
   * Settles one stored message by {@link SettleOnceAcknowledger}'s rules; a no-op once the source
   * closed (the message went back).
   */
  private final class MemoryAcknowledger extends SettleOnceAcknowledger {
    private final MemoryQueue.Stored stored;

    MemoryAcknowledger(MemoryQueue.Stored stored) {
      super(task, stored.message);
      this.stored = stored;
    }

    @Override
    protected void onAck() {
      queue.settle(stored, MemorySource.this);
    }

    @Override
    protected void onRetry(Duration delay, int attempt) {
      if (queue.settle(stored, MemorySource.this)) {
        Message m = stored.message;
        Map<String, String> headers = new HashMap<>(m.headers());
        headers.putAll(LanesHeaders.retry(m, attempt));
        queue.reschedule(stored, m.toBuilder().attempt(attempt).headers(headers).build(), delay);
      }
    }

    @Override
    protected void onReject(String reason, int attempts) {
      if (queue.settle(stored, MemorySource.this)) {
        Message m = stored.message;
        Map<String, String> headers = new HashMap<>(m.headers());
        headers.putAll(LanesHeaders.deadLetter(m, reason, attempts));
        MemoryBroker.queue(MemoryBroker.deadLetterName(queue.name()))
            .publish(m.toBuilder().attempt(1).headers(headers).build(), Duration.ZERO);
        log.debug("task {}: dead-lettered {}", task, m);
      }
    }

    @Override
    public boolean isStale() {
      return closed;
    }
  }
}
