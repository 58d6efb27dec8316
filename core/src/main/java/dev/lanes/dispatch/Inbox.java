package dev.lanes.dispatch;

import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Where a lane thread takes its next delivery from: its own queue ({@link LaneInbox}, {@code
 * routing = lane}) or the queue all lanes of the task share ({@link KeyScheduler}, {@code routing =
 * key}). Taken envelopes stay their key's work in flight until the lane calls {@link #done} or
 * {@link #forget}.
 */
interface Inbox {

  /**
   * The next envelope, waiting up to {@code timeout}; {@link Envelope#STOP} once the lane is to
   * stop; {@code null} on timeout.
   */
  Envelope poll(long timeout, TimeUnit unit) throws InterruptedException;

  /** The next envelope if one is ready now, else {@code null}. */
  Envelope poll();

  /** The lane is done with {@code taken}'s key: settled, released or abandoned, not parked. */
  void done(Envelope taken);

  /**
   * The parked retry {@code head} went back to the broker: its key's later messages, if this inbox
   * holds any, must not overtake it and are dropped unsettled (the broker redelivers them).
   *
   * @return how many were dropped
   */
  int forget(Envelope head);

  /** Makes the lane(s) polling this inbox finish what they hold and then receive STOP. */
  void stop();

  /** Removes every queued, un-started envelope into {@code into}. */
  void drainTo(Collection<Envelope> into);

  /** Envelopes queued for this lane alone (a shared inbox counts its own). */
  int ownSize();

  /** Called for each envelope queued for this lane alone. */
  void forEachOwn(Consumer<Envelope> action);

  /** Whether other lanes take from this inbox too. */
  boolean shared();

  /** The lane's count of parked retries changed by {@code delta}. */
  void parkedRetriesChanged(int delta);
}
