package dev.lanes.dispatch;

import dev.lanes.api.Message;
import dev.lanes.api.Outcome;
import dev.lanes.dispatch.HandlerInvoker.Attempt;
import dev.lanes.metrics.TaskMetrics;
import dev.lanes.retry.Backoff;
import dev.lanes.spi.Acknowledger;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the retry policy to an attempt and settles the delivery on its broker: ack, reject to
 * dead letter, hand back for a broker-side delayed retry, or tell the lane to park it in process.
 * Thread-safe; shared by the lanes of a task.
 */
final class Settler {

  private static final Logger log = LoggerFactory.getLogger(Settler.class);

  private final String task;
  private final Backoff backoff;
  private final TaskMetrics metrics;
  private final DispatchStats stats;
  private final HandlingListener listener;

  Settler(
      String task,
      Backoff backoff,
      TaskMetrics metrics,
      DispatchStats stats,
      HandlingListener listener) {
    this.task = task;
    this.backoff = backoff;
    this.metrics = metrics;
    this.stats = stats;
    this.listener = listener;
  }

  /**
   * Settles {@code envelope} after {@code attempt}.
   *
   * @return the delay to park it in process for, or {@code null} when it was settled
   */
  Duration settle(Envelope envelope, Attempt attempt) {
    Message message = envelope.message;
    if (attempt.failure() != null) {
      log.warn(
          "task {}: handler failed on {} (attempt {}): {}",
          task,
          message,
          message.attempt(),
          attempt.failure().toString());
    }
    Outcome outcome = attempt.outcome();
    if (outcome instanceof Outcome.Ack) {
      processed(message, "ack", attempt);
      return settleWith(envelope, "ack", Acknowledger::ack);
    }
    if (outcome instanceof Outcome.Reject reject) {
      return deadLetter(envelope, reject.reason(), attempt, false);
    }
    Duration requested = ((Outcome.Retry) outcome).delay();
    if (!backoff.mayRetry(message.attempt())) {
      String cause =
          attempt.failure() == null ? "handler asked to retry" : attempt.failure().toString();
      return deadLetter(
          envelope,
          "retries exhausted after " + message.attempt() + " attempts: " + cause,
          attempt,
          true);
    }
    Duration delay = requested != null ? requested : backoff.delayAfter(message.attempt());
    processed(message, "retry", attempt);
    stats.retried.increment();
    if (backoff.parksInProcess(delay)) {
      return delay;
    }
    return settleWith(envelope, "retry", a -> a.retry(delay, message.attempt() + 1));
  }

  private Duration deadLetter(
      Envelope envelope, String reason, Attempt attempt, boolean exhausted) {
    processed(envelope.message, "reject", attempt);
    metrics.deadLettered();
    log.warn("task {}: dead-lettering {}: {}", task, envelope.message, reason);
    try {
      listener.deadLettered(envelope.message, reason, exhausted);
    } catch (RuntimeException e) {
      log.error("task {}: handling listener failed: {}", task, e.toString(), e);
    }
    int attempts = envelope.message.attempt();
    return settleWith(envelope, "reject", a -> a.reject(reason, attempts));
  }

  private void processed(Message message, String outcome, Attempt attempt) {
    Throwable failure = attempt.failure();
    metrics.processed(
        outcome, failure == null ? null : failure.getClass().getName(), attempt.nanos());
    try {
      listener.handled(message, outcome, failure, attempt.nanos());
    } catch (RuntimeException e) {
      log.error("task {}: handling listener failed: {}", task, e.toString(), e);
    }
  }

  private Duration settleWith(
      Envelope envelope, String what, java.util.function.Consumer<Acknowledger> action) {
    try {
      action.accept(envelope.delivery.acknowledger());
      switch (what) {
        case "ack" -> stats.acked.increment();
        case "reject" -> stats.rejected.increment();
        default -> stats.handedBack.increment();
      }
    } catch (RuntimeException e) {
      // unsettled: the broker redelivers it, so nothing is lost
      stats.settleFailures.increment();
      log.error(
          "task {}: could not {} {}; the broker will redeliver it: {}",
          task,
          what,
          envelope.message,
          e.toString());
    }
    stats.settled.increment();
    return null;
  }
}
