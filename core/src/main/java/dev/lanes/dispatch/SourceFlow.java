package dev.lanes.dispatch;

import dev.lanes.spi.Source;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of a source's pause state: whether the source is paused is a level the lanes'
 * {@link Demand} asks for, and this class makes the source converge to it.
 *
 * <p>Any thread that sees a reason to pause or resume calls {@link #reconcile()}, which evaluates
 * the demand on the lanes' current depths and tells the source, under one lock. So the source hears
 * pause and resume one at a time, in the order they were decided, and the last decision is always
 * taken after the last change of the lanes. Edge-triggered pause/resume requests from several
 * threads, which this replaces, could leave the source paused with empty lanes for good. A source's
 * pause and resume only set a flag or hand the change to a thread of their own (see {@link
 * Source#pause()}), so the lock is held for moments and the thread that found a lane full is the
 * one that pauses: no window in which the lanes grow past their bound.
 *
 * <p>Lanes that make room skip {@link #reconcile()} unless {@link #isPaused()}: a pause is
 * announced before the depths that decide it are read, so a lane that drains after that read sees
 * the announcement and reconciles. Thread-safe.
 */
public final class SourceFlow {

  private static final Logger log = LoggerFactory.getLogger(SourceFlow.class);

  /** What the lanes want; called only by the thread that owns the flow at that moment. */
  interface Demand {
    /** Whether the source should be paused now, given whether it is paused. */
    boolean wantsPause(boolean pausedNow);
  }

  /** Counters for tests and status: pauses sent to the source, stalls the watchdog resolved. */
  public record Stats(long pauses, long stallsResolved) {}

  private final String task;
  private final Source source;
  private final LongAdder pauses = new LongAdder();
  private final LongAdder stalls = new LongAdder();
  private volatile Demand demand = pausedNow -> pausedNow;
  private volatile boolean held;
  private volatile boolean paused;
  private boolean applied; // what the source was last told; guarded by this

  /** A flow for {@code source}, which is running (not paused) when this is created. */
  public SourceFlow(String task, Source source) {
    this.task = task;
    this.source = source;
  }

  Source source() {
    return source;
  }

  /** Makes {@code next} the demand the source follows, and follows it. */
  void follow(Demand next) {
    demand = next;
    reconcile();
  }

  /** Keeps the source paused whatever the lanes want, until {@link #release()}. */
  public void hold() {
    held = true;
    reconcile();
  }

  /** Ends {@link #hold()}: the source follows the lanes' demand again. */
  public void release() {
    held = false;
    reconcile();
  }

  /**
   * Whether the source is paused, or about to be: for gauges, lanes' fast path and the watchdog.
   */
  public boolean isPaused() {
    return paused;
  }

  boolean isHeld() {
    return held;
  }

  public Stats stats() {
    return new Stats(pauses.sum(), stalls.sum());
  }

  /** Brings the source to the state the demand wants now. */
  synchronized void reconcile() {
    apply(false);
  }

  /** Watchdog's last resort: tells the source the desired state again, even if unchanged. */
  synchronized void resolveStall() {
    stalls.increment();
    apply(true);
  }

  private void apply(boolean again) {
    boolean want = wanted(applied);
    if (want && !applied) {
      paused = true; // announced before the check that decides: see the class comment
      want = wanted(false);
    }
    paused = want;
    if (want == applied && !again) {
      return;
    }
    applied = want;
    try {
      if (want) {
        pauses.increment();
        source.pause();
      } else {
        source.resume();
      }
    } catch (RuntimeException e) {
      log.warn(
          "task {}: the source failed to {}: {}", task, want ? "pause" : "resume", e.toString());
    }
  }

  private boolean wanted(boolean pausedNow) {
    return held || demand.wantsPause(pausedNow);
  }
}
