package dev.lanes.transport.nsq;

import dev.lanes.api.Message;
import dev.lanes.spi.SettleOnceAcknowledger;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Settles one NSQ message: {@code ack} = FIN, {@code retry(delay)} = REQ with that delay (nsqd
 * defers it; the next delivery has nsqd's attempts + 1: a REQ cannot carry the attempts the
 * dispatcher held in process), {@code reject} = publish to the dead-letter topic with the attempts
 * made, then FIN, {@code touch} = TOUCH. Thread-safe; settles at most once.
 *
 * <p>The delivery is stale (the dispatcher skips it) once nsqd has taken the message back or is
 * about to: when the connection it came on closed (nsqd requeues it after its timeout, or on
 * restart from disk), when nsqd delivered it again with the same id, when this source closed and
 * requeued it, or when it was neither settled nor touched for a whole message timeout. Settling a
 * delivery taken back does nothing: a FIN would finish the newer delivery of the same id, which
 * nobody has handled yet, and on a closed connection nsq-j would only log an error. Settling one
 * that only timed out is still sent: if nsqd has not requeued it yet the FIN spares a redelivery,
 * and if it has, nsqd answers {@code E_FIN_FAILED}, which nsq-j logs and ignores. A second settle
 * is ignored by {@link SettleOnceAcknowledger}'s rules.
 */
final class NsqAcknowledger extends SettleOnceAcknowledger {

  private enum State {
    OPEN,
    SETTLED,
    TAKEN_BACK
  }

  private final com.sproutsocial.nsq.Message nsq;
  private final NsqSource source;
  private final NsqConnection connection;
  private final AtomicReference<State> state = new AtomicReference<>(State.OPEN);
  private volatile long lastTouchNanos = System.nanoTime();

  /**
   * @param source the source it came through: names the task, knows the message timeout
   * @param connection the connection the message came on
   */
  NsqAcknowledger(
      com.sproutsocial.nsq.Message nsq,
      Message message,
      NsqSource source,
      NsqConnection connection) {
    super(source.task(), message);
    this.nsq = nsq;
    this.source = source;
    this.connection = connection;
  }

  NsqConnection connection() {
    return connection;
  }

  /** How the source holds this delivery: by topic and id ({@link #heldKey}). */
  String heldKey() {
    return heldKey(nsq);
  }

  /**
   * A message's topic and id: nsqd makes ids unique within a topic only, so two partition topics of
   * one source can deliver messages with the same id.
   */
  static String heldKey(com.sproutsocial.nsq.Message nsq) {
    return nsq.getTopic() + "/" + nsq.getId();
  }

  @Override
  protected void onAck() {
    if (settle()) {
      nsq.finish();
    }
  }

  @Override
  protected void onRetry(Duration delay, int attempt) {
    if (settle()) {
      nsq.requeue((int) Math.min(Integer.MAX_VALUE, delay.toMillis()));
    }
  }

  /**
   * Publishes the dead letter, then FIN. When the publish fails the message stays unsettled (and
   * untouched), so nsqd redelivers it after its timeout, and the exception reaches the caller.
   */
  @Override
  protected void onReject(String reason, int attempts) {
    source.deadLetters().publish(message(), reason, attempts);
    if (settle()) {
      nsq.finish();
    }
  }

  /**
   * Taken back by the source's close or a redelivery, or its connection is gone (nsqd redelivers
   * it, so no FIN and no dead letter now). A delivery that only timed out is not: see above.
   */
  @Override
  protected boolean takenBack() {
    return state.get() == State.TAKEN_BACK || !connectionAlive();
  }

  @Override
  protected void ignoredTakenBack(String what) {
    if (state.compareAndSet(State.OPEN, State.TAKEN_BACK)) {
      source.settled(this);
    }
  }

  @Override
  public void touch() {
    if (state.get() == State.OPEN && connectionAlive()) {
      lastTouchNanos = System.nanoTime();
      nsq.touch();
    }
  }

  @Override
  public boolean isStale() {
    return state.get() == State.TAKEN_BACK
        || (state.get() == State.OPEN
            && (!connectionAlive()
                || System.nanoTime() - lastTouchNanos > source.msgTimeoutNanos()));
  }

  /** The source closes with this delivery unsettled: REQ it without delay for the next consumer. */
  void requeueOnClose() {
    if (state.compareAndSet(State.OPEN, State.TAKEN_BACK) && connectionAlive()) {
      nsq.requeue(0);
    }
  }

  /**
   * Its connection closed with it unsettled, so nsqd hands it out again after its timeout.
   *
   * @return whether this call took it back (false when settled or taken back before)
   */
  boolean takeBackLost() {
    if (state.compareAndSet(State.OPEN, State.TAKEN_BACK)) {
      source.settled(this);
      return true;
    }
    return false;
  }

  /** nsqd delivered the message again: the newer delivery owns its id now. */
  void supersede() {
    state.compareAndSet(State.OPEN, State.TAKEN_BACK);
  }

  /**
   * Moves to SETTLED, or to TAKEN_BACK when the connection is gone (nsqd redelivers the message
   * anyway, and nsq-j would only log an error for a command on a closed socket).
   *
   * @return whether the settling command should be sent
   */
  private boolean settle() {
    boolean alive = connectionAlive();
    if (state.compareAndSet(State.OPEN, alive ? State.SETTLED : State.TAKEN_BACK)) {
      source.settled(this);
      return alive;
    }
    return false;
  }

  private boolean connectionAlive() {
    return connection.isOpen();
  }
}
