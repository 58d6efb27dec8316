package dev.lanes.transport.local;

import dev.lanes.api.Message;
import dev.lanes.spi.SettleOnceAcknowledger;
import java.time.Duration;

/**
 * Settles one claimed row. Every call only queues a {@link Settlement} for the source's poll
 * thread, which applies queued settlements in one transaction (so acks are batched) and wakes at
 * once for them; {@link dev.lanes.spi.Source#flush()} waits for them. Thread-safe.
 *
 * <p>The delivery is stale once a settlement found the row claimed again. A lease that ran out
 * while this process could not renew it (a stall, a failing store) is not lost: the queue has one
 * consumer ({@link ConsumerLock}) and the poll thread renews every held lease before it claims
 * again, so nobody else can have taken the row. A settle after that, or after the source closed, is
 * ignored by {@link SettleOnceAcknowledger}'s rules.
 */
final class LocalAcknowledger extends SettleOnceAcknowledger {

  private final StoredMessage message;
  private final Settler settler;
  private final long leaseMs;
  private volatile boolean lost;

  LocalAcknowledger(String task, StoredMessage message, Settler settler, long leaseMs) {
    super(task, message.toMessage());
    this.message = message;
    this.settler = settler;
    this.leaseMs = leaseMs;
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
    return lost;
  }

  StoredMessage stored() {
    return message;
  }

  /** The message handed to the dispatcher. */
  Message delivered() {
    return message();
  }

  /** The row is no longer held under this claim: settling it changes nothing from now on. */
  void markLost() {
    lost = true;
    settler.forget(this);
  }
}
