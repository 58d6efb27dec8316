package dev.lanes.dispatch;

import dev.lanes.api.MessageHandler;
import dev.lanes.api.Outcome;
import dev.lanes.metrics.TaskMetrics;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Calls the handler for one envelope on its lane thread, once the task's {@link HandlerBreaker}
 * lets it, and turns whatever happens into an {@link Attempt}: the handler's outcome, a failure
 * (exception, {@code null} outcome, timeout), or abandonment when the shutdown deadline interrupted
 * it or the lane was stopped while the breaker held it back.
 */
final class HandlerInvoker {

  private final MessageHandler handler;
  private final Duration timeout;
  private final TaskMetrics metrics;
  private final HandlerBreaker breaker;

  HandlerInvoker(
      MessageHandler handler, Duration timeout, TaskMetrics metrics, HandlerBreaker breaker) {
    this.handler = handler;
    this.timeout = timeout;
    this.metrics = metrics;
    this.breaker = breaker;
  }

  Attempt invoke(Lane lane, Envelope envelope) {
    HandlerBreaker.Permit permit = breaker.admit(lane, envelope);
    if (permit == HandlerBreaker.Permit.REFUSED) {
      return Attempt.abandoned(0);
    }
    Attempt attempt = call(lane, envelope);
    breaker.record(permit, attempt);
    return attempt;
  }

  /** Wakes the lanes the breaker holds back, so that a stopped one notices. */
  void wakeWaiters() {
    breaker.wakeWaiters();
  }

  private Attempt call(Lane lane, Envelope envelope) {
    long start = System.nanoTime();
    metrics.waited(start - envelope.delivery.receivedNanos());
    lane.beginCall(envelope, start);
    Outcome outcome = null;
    Throwable failure = null;
    try {
      outcome = handler.handle(envelope.message);
      if (outcome == null) {
        failure =
            new IllegalStateException(
                handler.getClass().getName() + ".handle returned null; return Outcome.ack()");
      }
    } catch (InterruptedException e) {
      failure = e;
    } catch (Exception | Error e) {
      failure = e;
    } finally {
      lane.endCall();
    }
    long nanos = System.nanoTime() - start;
    // the watchdog may interrupt the lane for a timeout or at the shutdown deadline: clear it here
    boolean interrupted = Thread.interrupted();
    if (lane.abandoning() && (interrupted || failure != null)) {
      return Attempt.abandoned(nanos);
    }
    if (lane.timedOut()) {
      TimeoutException timedOut =
          new TimeoutException("handler ran past handlerTimeout " + timeout);
      if (failure != null) {
        timedOut.initCause(failure);
      }
      return Attempt.failed(timedOut, nanos);
    }
    return failure != null ? Attempt.failed(failure, nanos) : Attempt.completed(outcome, nanos);
  }

  /** What one handler call came to. */
  record Attempt(Outcome outcome, Throwable failure, boolean abandoned, long nanos) {

    static Attempt completed(Outcome outcome, long nanos) {
      return new Attempt(outcome, null, false, nanos);
    }

    static Attempt failed(Throwable failure, long nanos) {
      return new Attempt(Outcome.retry(), failure, false, nanos);
    }

    static Attempt abandoned(long nanos) {
      return new Attempt(null, null, true, nanos);
    }
  }
}
