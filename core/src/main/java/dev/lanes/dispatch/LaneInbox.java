package dev.lanes.dispatch;

import java.util.Collection;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A lane's own queue ({@code routing = lane}): the dispatcher routes each key to one lane, the lane
 * takes in arrival order, and a STOP queued last ends it after everything before.
 */
final class LaneInbox implements Inbox {

  private final LinkedBlockingQueue<Envelope> queue = new LinkedBlockingQueue<>();

  void add(Envelope envelope) {
    queue.add(envelope);
  }

  @Override
  public Envelope poll(long timeout, TimeUnit unit) throws InterruptedException {
    return queue.poll(timeout, unit);
  }

  @Override
  public Envelope poll() {
    return queue.poll();
  }

  @Override
  public void done(Envelope taken) {
    // the lane thread itself orders a key's messages
  }

  @Override
  public int forget(Envelope head) {
    return 0; // the messages behind a parked retry wait in the lane, not here
  }

  @Override
  public void stop() {
    queue.add(Envelope.STOP);
  }

  @Override
  public void drainTo(Collection<Envelope> into) {
    queue.drainTo(into);
  }

  @Override
  public int ownSize() {
    return queue.size();
  }

  @Override
  public void forEachOwn(Consumer<Envelope> action) {
    for (Envelope e : queue) {
      if (e != Envelope.STOP) {
        action.accept(e);
      }
    }
  }

  @Override
  public boolean shared() {
    return false;
  }

  @Override
  public void parkedRetriesChanged(int delta) {
    // a lane's parked retries count through its depth
  }
}
