package dev.lanes.dispatch;

import dev.lanes.api.Outcome;
import dev.lanes.dispatch.HandlerInvoker.Attempt;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task's circuit breaker around its handler calls: when calls fail at or above {@code
 * breaker.failureRate} over the window, it opens, the source is paused (through {@link SourceFlow},
 * whose demand asks {@link #holdsIntake()}), and lanes start no new call: the deliveries they hold
 * wait unsettled, in order. After {@code breaker.openFor} it lets probes through, one call at a
 * time on whichever lane asks first; when they succeed it closes and intake resumes, when they fail
 * it opens again.
 *
 * <p>resilience4j's {@link CircuitBreaker} keeps the window and decides the transitions; this class
 * adds what a consumer needs around it: lanes that wait instead of failing fast, probes that run
 * one at a time, the open-to-half-open transition driven from the watchdog's tick (so a breaker
 * with no waiting lane still gets to probe), and the one-shot reports of an outage to the {@link
 * HandlingListener}. Thread-safe; a lane's fast path while closed takes no lock of this class.
 */
public final class HandlerBreaker {

  private static final Logger log = LoggerFactory.getLogger(HandlerBreaker.class);
  private static final long SLICE_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long MIN_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  /** A retry the handler asked for, recorded as a failure; shared, without a stack trace. */
  private static final Exception RETRY_REQUESTED = new RetryRequested();

  /** The breaker's state, with the code of the {@code lanes.breaker.state} gauge. */
  public enum State {
    CLOSED(0),
    OPEN(1),
    HALF_OPEN(2);

    private final int code;

    State(int code) {
      this.code = code;
    }

    public int code() {
      return code;
    }
  }

  /** What {@link #admit} gave a call. */
  enum Permit {
    REFUSED,
    CALL,
    PROBE
  }

  private final String task;
  private final BreakerSettings settings;
  private final CircuitBreaker breaker;
  private final SourceFlow flow;
  private final HandlingListener listener;
  private final Object lock = new Object();
  private volatile State state = State.CLOSED;
  // guarded by lock
  private boolean probeRunning;
  private long probeDueNanos;
  private long outageStartedNanos;
  private int probes;

  private HandlerBreaker(
      String task,
      BreakerSettings settings,
      CircuitBreaker breaker,
      SourceFlow flow,
      HandlingListener listener) {
    this.task = task;
    this.settings = settings;
    this.breaker = breaker;
    this.flow = flow;
    this.listener = listener;
  }

  /** A breaker that never opens and costs nothing. */
  public static HandlerBreaker disabled() {
    return new HandlerBreaker("", null, null, null, HandlingListener.NONE);
  }

  /**
   * The breaker of task {@code task}, or {@link #disabled()} when {@code settings} say so.
   *
   * @param flow the task's source flow, reconciled when the breaker opens or stops being open
   * @param listener told once when an outage starts (the breaker opens from closed) and once when
   *     it ends (it closes)
   */
  public static HandlerBreaker of(
      String task, BreakerSettings settings, SourceFlow flow, HandlingListener listener) {
    if (!settings.enabled()) {
      return disabled();
    }
    CircuitBreakerConfig config =
        CircuitBreakerConfig.custom()
            .slidingWindowType(SlidingWindowType.TIME_BASED)
            .slidingWindowSize((int) settings.window().toSeconds())
            .minimumNumberOfCalls(settings.minimumCalls())
            .failureRateThreshold(settings.failureRate())
            .waitDurationInOpenState(settings.openFor())
            .permittedNumberOfCallsInHalfOpenState(settings.probes())
            // slow handlers are handlerTimeout's business, not the breaker's
            .slowCallRateThreshold(100)
            .slowCallDurationThreshold(Duration.ofDays(365))
            .build();
    return new HandlerBreaker(
        task, settings, CircuitBreaker.of("lanes-" + task, config), flow, listener);
  }

  public State state() {
    return state;
  }

  /** Whether {@code breaker.enabled}: a disabled breaker is always closed. */
  public boolean enabled() {
    return breaker != null;
  }

  /** Whether the source should stay paused: the breaker is open (not while probing). */
  boolean holdsIntake() {
    return state == State.OPEN;
  }

  /**
   * Lets a lane start a call: at once while closed; otherwise waits, touching what the lane holds,
   * until the breaker closes or this call may be the next probe.
   *
   * @return {@link Permit#REFUSED} when the lane was stopped or interrupted while it waited: the
   *     delivery must be left unsettled
   */
  Permit admit(Lane lane, Envelope envelope) {
    if (breaker == null || (state == State.CLOSED && breaker.tryAcquirePermission())) {
      return Permit.CALL;
    }
    lane.waitingForBreaker(envelope);
    try {
      while (!lane.stopping() && !lane.abandoning()) {
        Permit permit = tryAdmit();
        if (permit != Permit.REFUSED) {
          return permit;
        }
        lane.touchParkedIfAsked();
      }
      return Permit.REFUSED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the lane ends on it: it is being abandoned
      return Permit.REFUSED;
    } finally {
      lane.waitingForBreaker(null);
    }
  }

  /** One try under the lock; waits up to a slice when refused. */
  private Permit tryAdmit() throws InterruptedException {
    synchronized (lock) {
      Permit permit = Permit.REFUSED;
      if (state == State.CLOSED) {
        permit = breaker.tryAcquirePermission() ? Permit.CALL : Permit.REFUSED;
      } else if (!probeRunning && breaker.tryAcquirePermission()) {
        probeRunning = true;
        permit = Permit.PROBE;
      }
      observe(null);
      if (permit == Permit.PROBE && state == State.CLOSED) {
        probeRunning = false; // closed meanwhile by a call that started before it opened
        permit = Permit.CALL;
      }
      if (permit == Permit.REFUSED) {
        long wait = SLICE_NANOS;
        if (state == State.OPEN) {
          wait = Math.max(MIN_WAIT_NANOS, Math.min(wait, probeDueNanos - System.nanoTime()));
        }
        TimeUnit.NANOSECONDS.timedWait(lock, wait);
      }
      return permit;
    }
  }

  /** Records how a call that {@link #admit} let through ended. */
  void record(Permit permit, Attempt attempt) {
    if (breaker == null || permit == Permit.REFUSED) {
      return;
    }
    Throwable failure = null;
    if (attempt.abandoned() || attempt.outcome() instanceof Outcome.Reject) {
      breaker.releasePermission(); // a poison message or a stop says nothing about the downstream
    } else if (attempt.failure() != null) {
      failure = attempt.failure();
    } else if (attempt.outcome() instanceof Outcome.Retry) {
      failure = RETRY_REQUESTED;
    } else {
      breaker.onSuccess(attempt.nanos(), TimeUnit.NANOSECONDS);
    }
    if (failure != null) {
      breaker.onError(attempt.nanos(), TimeUnit.NANOSECONDS, failure);
    }
    if (permit == Permit.PROBE || toState(breaker.getState()) != state) {
      synchronized (lock) {
        if (permit == Permit.PROBE) {
          probeRunning = false;
          probes++;
        }
        observe(failure);
        lock.notifyAll();
      }
    }
  }

  /**
   * Called by the watchdog about every half second: once the open time is over, moves to half-open
   * even when no lane waits to probe, so intake resumes and brings a message to probe with.
   */
  void tick(long nowNanos) {
    if (breaker == null || state != State.OPEN) {
      return;
    }
    synchronized (lock) {
      if (state == State.OPEN && nowNanos - probeDueNanos >= 0 && !probeRunning) {
        if (breaker.tryAcquirePermission()) { // the open time is over: resilience4j half-opens
          breaker.releasePermission();
        }
        observe(null);
        lock.notifyAll();
      }
    }
  }

  /** Wakes lanes waiting for a permission, e.g. because they were told to stop. */
  void wakeWaiters() {
    if (breaker != null) {
      synchronized (lock) {
        lock.notifyAll();
      }
    }
  }

  /** Under the lock: catches up with resilience4j's state and reports a change once. */
  private void observe(Throwable lastFailure) {
    State now = toState(breaker.getState());
    State before = state;
    if (now == before) {
      return;
    }
    state = now;
    long nowNanos = System.nanoTime();
    CircuitBreaker.Metrics metrics = breaker.getMetrics();
    switch (now) {
      case OPEN -> {
        probeDueNanos = nowNanos + settings.openFor().toNanos();
        if (before == State.CLOSED) {
          outageStartedNanos = nowNanos;
          probes = 0;
          opened(metrics, lastFailure);
        } else {
          log.info(
              "task {}: circuit breaker probe failed ({}); open again for {} ms",
              task,
              lastFailure,
              settings.openFor().toMillis());
        }
      }
      case HALF_OPEN -> log.info("task {}: circuit breaker half-open: probing", task);
      case CLOSED -> closed(nowNanos);
    }
    flow.reconcile();
    lock.notifyAll();
  }

  private void opened(CircuitBreaker.Metrics metrics, Throwable lastFailure) {
    float rate = metrics.getFailureRate();
    int failed = metrics.getNumberOfFailedCalls();
    int calls = metrics.getNumberOfBufferedCalls();
    String last = lastFailure == null ? "" : lastFailure.toString();
    log.warn(
        "task {}: circuit breaker open: {} of {} handler calls failed in the last {} s ({}%,"
            + " breaker.failureRate {}%); intake paused, lanes hold their messages; probing in {}"
            + " ms; last failure: {}",
        task,
        failed,
        calls,
        settings.window().toSeconds(),
        rate,
        settings.failureRate(),
        settings.openFor().toMillis(),
        last);
    try {
      listener.circuitOpened(rate, failed, calls, last);
    } catch (RuntimeException e) {
      log.error("task {}: handling listener failed: {}", task, e.toString(), e);
    }
  }

  private void closed(long nowNanos) {
    long openMillis = TimeUnit.NANOSECONDS.toMillis(nowNanos - outageStartedNanos);
    log.info(
        "task {}: circuit breaker closed after {} ms and {} probes; intake resumes",
        task,
        openMillis,
        probes);
    try {
      listener.circuitClosed(openMillis, probes);
    } catch (RuntimeException e) {
      log.error("task {}: handling listener failed: {}", task, e.toString(), e);
    }
  }

  private static State toState(CircuitBreaker.State state) {
    return switch (state) {
      case OPEN, FORCED_OPEN -> State.OPEN;
      case HALF_OPEN -> State.HALF_OPEN;
      default -> State.CLOSED;
    };
  }

  private static final class RetryRequested extends Exception {
    RetryRequested() {
      super("the handler returned Outcome.retry", null, false, false);
    }
  }
}
