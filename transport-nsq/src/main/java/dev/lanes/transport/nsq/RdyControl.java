package dev.lanes.transport.nsq;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backpressure by RDY count: {@link #pause()} sets the subscription's max-in-flight to 0 (RDY 0 on
 * every nsqd connection), {@link #resume()} back to {@code maxInFlight}. nsq-j takes its
 * subscriber's lock for that, the lock it also holds during a lookup (HTTP calls of up to 30 s when
 * an nsqlookupd hangs), so the change is applied on a thread of its own and {@code pause()} never
 * blocks the dispatcher. Requests coalesce: only the latest wish is applied. Thread-safe.
 */
final class RdyControl {

  private static final Logger log = LoggerFactory.getLogger(RdyControl.class);

  private final String task;
  private final NsqClientAdapter nsq;
  private final int maxInFlight;
  private final ExecutorService executor;
  private final Object lock = new Object();
  private volatile boolean paused;
  private boolean stopped;
  private int applied;

  /**
   * @param nsq the client whose subscriptions it pauses and resumes
   * @param maxInFlight the RDY count {@code nsq} subscribed with, per subscription
   * @param threads makes the thread that applies the changes ({@code lanes-<task>-nsq-rdy})
   */
  RdyControl(String task, NsqClientAdapter nsq, int maxInFlight, ThreadFactory threads) {
    this.task = task;
    this.nsq = nsq;
    this.maxInFlight = maxInFlight;
    this.applied = maxInFlight;
    this.executor = Executors.newSingleThreadExecutor(threads);
  }

  void pause() {
    paused = true;
    request();
  }

  void resume() {
    paused = false;
    request();
  }

  /**
   * Ends RDY changes for good: once this returns no change of ours is on its way or will be sent,
   * so the stop's own RDY 0 (or CLS) is the last word. Idempotent.
   */
  void stop() {
    synchronized (lock) {
      stopped = true;
    }
    executor.shutdown();
  }

  private void request() {
    try {
      executor.execute(this::apply);
    } catch (RejectedExecutionException e) {
      // stopped: RDY stays 0
    }
  }

  private void apply() {
    synchronized (lock) {
      int target = paused ? 0 : maxInFlight;
      if (stopped || target == applied) {
        return;
      }
      nsq.setMaxInFlight(target);
      applied = target;
      log.debug("task {}: RDY {} on {}", task, target, nsq.subscriptions());
    }
  }
}
