package dev.lanes.dispatch;

import dev.lanes.dispatch.HandlerInvoker.Attempt;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lane: the single thread that takes deliveries from its {@link Inbox} and handles them.
 * Retries due within the park limit wait here while the lane goes on with other keys; the later
 * messages of their key wait behind them, here ({@code routing = lane}) or in the shared {@link
 * KeyScheduler}, which keeps the key in flight until the retry is done ({@code routing = key}).
 *
 * <p>The queues are unbounded as data structures; the dispatcher bounds them by pausing the source.
 */
final class Lane implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(Lane.class);

  /** A parked retry due later than this before the drain deadline goes back to the broker. */
  private static final long PARK_MARGIN_NANOS = TimeUnit.SECONDS.toNanos(1);

  final int index;
  private final Inbox inbox;
  private final ParkedRetries parked = new ParkedRetries();
  private final HandlerInvoker invoker;
  private final Settler settler;
  private final LaneControl control;
  private final DispatchStats stats;
  private final Object callLock = new Object();

  private volatile int parkedDepth;
  private int parkedRetries; // lane thread only: what the inbox was last told
  private volatile Envelope current;
  private volatile Envelope waitingForBreaker;
  private volatile boolean stopping;
  private Envelope retryHeadRunning; // lane thread only: the released retry whose key runs now
  private volatile long callStartedNanos;
  private volatile boolean timedOut;
  private volatile boolean abandoning;
  private volatile boolean releasing;
  private final AtomicInteger released = new AtomicInteger();
  private volatile boolean touchParkedDue;
  private volatile int abandoned;

  /** What a lane needs from its dispatcher. */
  interface LaneControl {
    /** Called after {@code lane} took work off its queue, so a paused source can be resumed. */
    void laneProgressed(Lane lane);

    /** The shutdown deadline in {@link System#nanoTime()} terms, once draining. */
    long drainDeadlineNanos();
  }

  Lane(
      int index,
      Inbox inbox,
      HandlerInvoker invoker,
      Settler settler,
      LaneControl control,
      DispatchStats stats) {
    this.index = index;
    this.inbox = inbox;
    this.invoker = invoker;
    this.settler = settler;
    this.control = control;
    this.stats = stats;
  }

  /** Deliveries queued for this lane alone or waiting behind a parked retry of their key. */
  int depth() {
    return inbox.ownSize() + parkedDepth;
  }

  /** {@link #depth()} plus the delivery being handled, if any: what "least loaded" compares. */
  int load() {
    return depth() + (current != null || waitingForBreaker != null ? 1 : 0);
  }

  @Override
  public void run() {
    try {
      loop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      abandoned = countUnsettled();
    }
  }

  private void loop() throws InterruptedException {
    while (!abandoning) {
      if (releasing) {
        releaseUnstarted();
        return;
      }
      touchParkedIfAsked();
      if (stopping && inbox.shared()) {
        handBackRetriesDueAfterTheDeadline();
      }
      Envelope next = nextFromInbox();
      if (releasing) {
        release(next);
        inbox.done(next);
        continue;
      }
      runDueRetries();
      if (next == Envelope.STOP) {
        finishParked();
        return;
      }
      if (next != null) {
        if (parked.blocks(next.key)) {
          parked.waitBehind(next);
          updateParkedDepth();
          control.laneProgressed(this);
        } else {
          control.laneProgressed(this);
          if (!execute(next)) {
            inbox.done(next);
          }
        }
      }
    }
  }

  private Envelope nextFromInbox() throws InterruptedException {
    if (parked.isEmpty()) {
      return inbox.poll(1, TimeUnit.SECONDS); // wakes now and then to serve touch requests
    }
    long wait = parked.nextDueNanos(0) - System.nanoTime();
    return wait <= 0
        ? inbox.poll()
        : inbox.poll(Math.min(wait, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
  }

  private void runDueRetries() {
    Envelope due;
    boolean released = false;
    while (!abandoning && !releasing && (due = parked.pollDue(System.nanoTime())) != null) {
      runReleased(due);
      released = true;
    }
    if (released) {
      control.laneProgressed(this); // messages that waited behind a retry left the lane's depth
    }
  }

  /** Runs a parked retry, then the messages of its key that waited behind it, in order. */
  private void runReleased(Envelope head) {
    retryHeadRunning = head;
    try {
      runReleasedKey(head);
    } finally {
      retryHeadRunning = null;
    }
  }

  private void runReleasedKey(Envelope head) {
    Envelope running = head;
    while (running != null && !abandoning) {
      if (execute(running)) {
        if (running != head) {
          parked.handOver(head, running);
        }
        updateParkedDepth();
        return;
      }
      running = parked.nextWaiting(head);
      if (releasing) {
        for (; running != null; running = parked.nextWaiting(head)) {
          release(running);
        }
      }
      updateParkedDepth();
    }
    inbox.done(head);
  }

  /** Handles one envelope; returns whether it was parked for an in-process retry. */
  private boolean execute(Envelope envelope) {
    if (envelope.delivery.acknowledger().isStale()) {
      stats.stale.increment();
      stats.settled.increment();
      return false;
    }
    Attempt attempt = invoker.invoke(this, envelope);
    if (attempt.abandoned()) {
      abandoned++;
      return false;
    }
    Duration park = settler.settle(envelope, attempt);
    if (park == null) {
      return false;
    }
    envelope.message = envelope.message.withAttempt(envelope.message.attempt() + 1);
    parked.park(envelope, System.nanoTime() + park.toNanos());
    updateParkedDepth();
    return true;
  }

  /**
   * On stop: keeps running parked retries that fall due before the drain deadline, then hands the
   * rest back to the broker with their remaining delay. Messages waiting behind them stay
   * unsettled, so the broker redelivers them.
   */
  private void finishParked() throws InterruptedException {
    while (!parked.isEmpty()
        && !abandoning
        && parked.nextDueNanos(0) - (control.drainDeadlineNanos() - PARK_MARGIN_NANOS) < 0) {
      long wait = parked.nextDueNanos(0) - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      runDueRetries();
    }
    handBackAndLeaveTheirKeys(parked.drainAll());
  }

  /**
   * While a shared inbox drains for a stop: parked retries due after the deadline (less a margin)
   * go back to the broker now, so the stop does not wait for them.
   */
  private void handBackRetriesDueAfterTheDeadline() {
    if (!parked.isEmpty()) {
      handBackAndLeaveTheirKeys(
          parked.removeDueAfter(control.drainDeadlineNanos() - PARK_MARGIN_NANOS));
    }
  }

  /** Hands parked retries back; the later messages of their keys stay unsettled, for redelivery. */
  private void handBackAndLeaveTheirKeys(List<Envelope> heads) {
    for (Envelope head : heads) {
      handBack(head);
      abandoned += head.waiting == null ? 0 : head.waiting.size();
      parked.abandonWaiting(head);
      abandoned += inbox.forget(head);
    }
    updateParkedDepth();
  }

  /**
   * On a stop in finish-running mode, once no call runs: parked retries go back to the broker with
   * their remaining delay (as in a drain), everything queued or waiting behind them is released.
   */
  private void releaseUnstarted() {
    releaseQueued();
    for (Envelope head : parked.drainAll()) {
      handBack(head);
      abandoned += inbox.forget(head);
      for (Envelope next = parked.nextWaiting(head);
          next != null;
          next = parked.nextWaiting(head)) {
        release(next);
      }
    }
    updateParkedDepth();
  }

  private void handBack(Envelope head) {
    Duration remaining = Duration.ofNanos(Math.max(0, head.dueNanos - System.nanoTime()));
    try {
      head.delivery.acknowledger().retry(remaining, head.message.attempt()); // already the next one
      stats.handedBack.increment();
      stats.settled.increment();
    } catch (RuntimeException e) {
      abandoned++;
      log.warn(
          "lane {}: could not hand a parked retry back to the broker; it will be redelivered: {}",
          index,
          e.toString());
    }
  }

  private void release(Envelope envelope) {
    if (envelope == null || envelope == Envelope.STOP) {
      return;
    }
    try {
      envelope.delivery.acknowledger().release();
    } catch (RuntimeException e) {
      log.warn(
          "lane {}: could not release {}; the broker redelivers it: {}",
          index,
          envelope.message,
          e.toString());
    }
    released.incrementAndGet();
    stats.released.increment();
    stats.settled.increment();
  }

  void touchParkedIfAsked() {
    if (touchParkedDue) {
      touchParkedDue = false;
      parked.forEachHeld(e -> e.delivery.acknowledger().touch());
      Envelope head = retryHeadRunning;
      if (head != null && head.waiting != null) {
        head.waiting.forEach(e -> e.delivery.acknowledger().touch());
      }
    }
  }

  private void updateParkedDepth() {
    parkedDepth = parked.waitingCount();
    int retries = parked.size();
    if (retries != parkedRetries) {
      inbox.parkedRetriesChanged(retries - parkedRetries);
      parkedRetries = retries;
    }
  }

  private int countUnsettled() {
    int[] queued = {0};
    inbox.forEachOwn(e -> queued[0]++);
    int[] held = {0};
    parked.forEachHeld(e -> held[0]++);
    return abandoned + queued[0] + held[0];
  }

  // ---- called by the handler invoker on the lane thread

  void beginCall(Envelope envelope, long startNanos) {
    synchronized (callLock) {
      current = envelope;
      timedOut = false;
      callStartedNanos = startNanos;
    }
  }

  void endCall() {
    synchronized (callLock) {
      current = null;
      callStartedNanos = 0;
    }
  }

  boolean timedOut() {
    return timedOut;
  }

  boolean abandoning() {
    return abandoning;
  }

  boolean stopping() {
    return stopping;
  }

  /** The delivery this lane holds while the breaker keeps it from calling, or {@code null}. */
  void waitingForBreaker(Envelope envelope) {
    waitingForBreaker = envelope;
  }

  // ---- called by the watchdog and the dispatcher from other threads

  /** Interrupts the running handler if it has run longer than {@code timeoutNanos}. */
  void interruptIfOverdue(long nowNanos, long timeoutNanos, Thread thread) {
    synchronized (callLock) {
      long started = callStartedNanos;
      if (current != null && !timedOut && nowNanos - started > timeoutNanos) {
        timedOut = true;
        log.warn(
            "lane {}: handler ran past handlerTimeout on {}; interrupting it",
            index,
            current.message);
        thread.interrupt();
      }
    }
  }

  /**
   * Touches the delivery being handled and those queued; asks the lane to touch its parked ones.
   */
  void touchHeld() {
    Envelope running = current;
    if (running != null) {
      running.delivery.acknowledger().touch();
    }
    Envelope waiting = waitingForBreaker;
    if (waiting != null) {
      waiting.delivery.acknowledger().touch();
    }
    inbox.forEachOwn(e -> e.delivery.acknowledger().touch());
    touchParkedDue = true;
  }

  void stop() {
    stopping = true; // a lane the breaker holds back leaves its deliveries unsettled at once
    inbox.stop();
    invoker.wakeWaiters();
  }

  /**
   * Finish-running stop, from the stopping thread: the lane takes nothing new; what its queue holds
   * is released at once, parked retries and their followers once the running call (if any) ends.
   */
  void stopReleasing() {
    beginReleasing();
    stopping = true; // a lane the breaker holds back leaves its deliveries unsettled at once
    releaseQueued();
    inbox.stop(); // wakes an idle lane
    invoker.wakeWaiters();
  }

  /**
   * From the stopping thread, before any lane sharing this one's inbox drains it: whatever this
   * lane takes from now on is released, not started.
   */
  void beginReleasing() {
    releasing = true;
  }

  private void releaseQueued() {
    List<Envelope> queued = new ArrayList<>();
    inbox.drainTo(queued);
    queued.forEach(this::release);
  }

  /** Deliveries released unhandled by a finish-running stop. */
  int releasedCount() {
    return released.get();
  }

  /** Past the deadline: stop taking work; the running handler is interrupted by the caller. */
  void abandon() {
    abandoning = true;
  }

  /** Deliveries this lane left unsettled; valid after its thread ended. */
  int abandonedCount() {
    return abandoned;
  }
}
