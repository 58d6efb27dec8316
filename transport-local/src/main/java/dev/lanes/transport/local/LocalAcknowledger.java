package dev.lanes.transport.local;

import dev.lanes.api.Message;
import dev.lanes.spi.SettleOnceAcknowledger;
import java.time.Duration;

/**
 * Settles one claimed row. Every call only queues a {@link Settlement} for the source's poll
 * thread, which applies queued settlements in one transaction (so acks are batched) and wakes at
 * once for them; {@link dev.lanes.spi.Source#flush()} waits for them. Thread-safe.
 *
 * <p>The delivery is stale once its lease is lost: the lease deadline passed (this process stalled
 * or could not renew it) or a settlement found the row claimed again by someone else. A settle
 * after that, or after the source closed, is ignored by {@link SettleOnceAcknowledger}'s rules.
 */
final class LocalAcknowledger extends SettleOnceAcknowledger {

  private final StoredMessage message;
  private final Settler settler;
  private final long leaseMs;
  private volatile long deadline;
  private volatile boolean lost;

  LocalAcknowledger(
      String task, StoredMessage message, Settler settler, long leaseMs, long deadline) {
    super(task, message.toMessage());
    this.message = message;
    this.settler = settler;
    this.leaseMs = leaseMs;
    this.deadline = deadline;
  }

  @Override
  protected void onAck() {
    settler.submit(new Settlement(Settlement.Kind.ACK, message, 0, null));
  }

  @Override
  protected void onRetry(Duration delay, int attempt) {
    long due = System.currentTimeMillis() + Math.max(0, delay.toMillis());
    settler.submit(new Settlement(Settlement.Kind.RETRY, message.withAttempt(attempt), due, null));
  }

  @Override
  protected void onReject(String reason, int attempts) {
    settler.submit(
        new Settlement(Settlement.Kind.REJECT, message.withAttempt(attempts), 0, reason));
  }

  /** Lost its lease, or the source closed and gave the row back. */
  @Override
  protected boolean takenBack() {
    return isStale() || settler.isClosed();
  }

  @Override
  protected void ignoredTakenBack(String what) {
    if (lost) {
      settler.lostSettlement(what, message);
    }
  }

  /** Renews the lease now (the source also renews every held lease on its own schedule). */
  @Override
  public void touch() {
    if (!isSettled() && !isStale()) {
      settler.submit(
          new Settlement(
              Settlement.Kind.RENEW, message, System.currentTimeMillis() + leaseMs, null));
    }
  }

  @Override
  public boolean isStale() {
    if (!lost && System.currentTimeMillis() > deadline) {
      markLost();
    }
    return lost;
  }

  StoredMessage stored() {
    return message;
  }

  /** The message handed to the dispatcher. */
  Message delivered() {
    return message();
  }

  /** A renewal of the lease to {@code newDeadline} was applied. */
  void extendTo(long newDeadline) {
    if (newDeadline > deadline) {
      deadline = newDeadline;
    }
  }

  /** The row is no longer held under this claim: settling it changes nothing from now on. */
  void markLost() {
    lost = true;
    settler.forget(this);
  }
}
