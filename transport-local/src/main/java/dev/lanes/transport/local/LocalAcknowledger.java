package dev.lanes.transport.local;

import dev.lanes.spi.Acknowledger;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Settles one claimed row. Every call only queues a {@link Settlement} for the source's poll
 * thread, which applies queued settlements in one transaction (so acks are batched) and wakes at
 * once for them; {@link dev.lanes.spi.Source#flush()} waits for them. Thread-safe.
 *
 * <p>The delivery is stale once its lease is lost: the lease deadline passed (this process stalled
 * or could not renew it) or a settlement found the row claimed again by someone else.
 */
final class LocalAcknowledger implements Acknowledger {

  private final StoredMessage message;
  private final Settler settler;
  private final long leaseMs;
  private final AtomicBoolean settled = new AtomicBoolean();
  private volatile long deadline;
  private volatile boolean lost;

  LocalAcknowledger(StoredMessage message, Settler settler, long leaseMs, long deadline) {
    this.message = message;
    this.settler = settler;
    this.leaseMs = leaseMs;
    this.deadline = deadline;
  }

  @Override
  public void ack() {
    settle(Settlement.Kind.ACK, message, 0, null);
  }

  @Override
  public void retry(Duration delay, int attempt) {
    long due = System.currentTimeMillis() + Math.max(0, delay.toMillis());
    settle(Settlement.Kind.RETRY, message.withAttempt(attempt), due, null);
  }

  @Override
  public void reject(String reason, int attempts) {
    settle(Settlement.Kind.REJECT, message.withAttempt(attempts), 0, reason);
  }

  /** Renews the lease now (the source also renews every held lease on its own schedule). */
  @Override
  public void touch() {
    if (!settled.get() && !isStale()) {
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

  StoredMessage message() {
    return message;
  }

  /** Whether ack, retry or reject was called. */
  boolean isSettled() {
    return settled.get();
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

  private void settle(Settlement.Kind kind, StoredMessage row, long at, String reason) {
    if (!settled.compareAndSet(false, true)) {
      throw new IllegalStateException("message " + message.id() + " is already settled");
    }
    if (isStale()) {
      settler.lostSettlement(kind, message);
      return;
    }
    settler.submit(new Settlement(kind, row, at, reason));
  }
}
