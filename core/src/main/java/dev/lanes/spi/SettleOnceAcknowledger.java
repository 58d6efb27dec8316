package dev.lanes.spi;

import dev.lanes.api.Message;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The base of every transport's {@link Acknowledger}: it keeps "settled once" by construction, with
 * the same rules on every broker.
 *
 * <ol>
 *   <li><b>The first settle wins.</b> The first of {@link #ack()}, {@link #retry} and {@link
 *       #reject} is handed to {@link #onAck()}, {@link #onRetry} or {@link #onReject}, once.
 *   <li><b>A second settle is ignored.</b> Any later settle makes no broker call and does not
 *       throw; it is logged once at WARN naming the task, the message, the settle ignored and the
 *       one that won (it is a bug in the caller: the dispatcher settles once).
 *   <li><b>A settle after the broker took the delivery back is ignored.</b> Once {@link
 *       #takenBack()} holds (the source stopped or closed, the channel or connection closed, the
 *       partition was revoked, the lease was lost), a settle makes no broker call and does not
 *       throw: the broker hands the message out again. It is logged at DEBUG and reported to {@link
 *       #ignoredTakenBack(String)}; it still counts as the settle.
 *   <li><b>A settle that fails leaves the delivery unsettled on the broker.</b> When an {@code on}
 *       method throws (e.g. a full publish buffer during an outage) the exception reaches the
 *       caller, the broker redelivers the message later, and the acknowledger counts as settled:
 *       nothing retries the settle.
 * </ol>
 *
 * Thread-safe: the settle methods may race from any threads; exactly one wins.
 */
public abstract class SettleOnceAcknowledger implements Acknowledger {

  private static final Logger log = LoggerFactory.getLogger(SettleOnceAcknowledger.class);

  private final String task;
  private final Message message;
  private final AtomicReference<String> settledBy = new AtomicReference<>();

  /**
   * @param task the task's name, for logs
   * @param message the delivered message, for logs
   */
  protected SettleOnceAcknowledger(String task, Message message) {
    this.task = task;
    this.message = message;
  }

  @Override
  public final void ack() {
    if (claim("ack")) {
      onAck();
    }
  }

  @Override
  public final void retry(Duration delay, int attempt) {
    if (claim("retry")) {
      onRetry(delay, attempt);
    }
  }

  @Override
  public final void reject(String reason, int attempts) {
    if (claim("reject")) {
      onReject(reason, attempts);
    }
  }

  /** Whether ack, retry or reject was called (and won or was ignored). */
  public final boolean isSettled() {
    return settledBy.get() != null;
  }

  /** The broker's ack; called at most once, never after {@link #takenBack()} held. */
  protected abstract void onAck();

  /** The broker's retry; called at most once, never after {@link #takenBack()} held. */
  protected abstract void onRetry(Duration delay, int attempt);

  /** Dead-letter, then settle; called at most once, never after {@link #takenBack()} held. */
  protected abstract void onReject(String reason, int attempts);

  /**
   * Whether the broker has taken the delivery back, so that settling it must not reach the broker.
   * The default is {@link #isStale()}; a transport whose stale deliveries may still be settled
   * usefully overrides it.
   */
  protected boolean takenBack() {
    return isStale();
  }

  /** A settle was ignored by rule 3, e.g. to count it; the default does nothing. */
  protected void ignoredTakenBack(String what) {}

  /** The message delivered. */
  protected final Message message() {
    return message;
  }

  /** The task's name. */
  protected final String task() {
    return task;
  }

  private boolean claim(String what) {
    if (!settledBy.compareAndSet(null, what)) {
      log.warn(
          "task {}: {} of {} ignored: it was already settled by {} (a second settle never reaches"
              + " the broker)",
          task,
          what,
          message,
          settledBy.get());
      return false;
    }
    if (takenBack()) {
      log.debug(
          "task {}: {} of {} ignored: the broker took the delivery back and hands it out again",
          task,
          what,
          message);
      ignoredTakenBack(what);
      return false;
    }
    return true;
  }
}
