package dev.lanes.runtime;

import dev.lanes.spi.Delivery;
import dev.lanes.spi.DeliverySink;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The sink a source delivers to, forwarding to the current dispatcher. {@link #switchTo} returns
 * only once no delivery is in flight to the old target, so after it the old dispatcher receives
 * nothing more and can drain. Source threads share the read lock, so they never wait for one
 * another.
 */
final class SwitchingSink implements DeliverySink {

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private DeliverySink target;

  SwitchingSink(DeliverySink target) {
    this.target = target;
  }

  @Override
  public void accept(Delivery delivery) {
    lock.readLock().lock();
    try {
      target.accept(delivery);
    } finally {
      lock.readLock().unlock();
    }
  }

  void switchTo(DeliverySink next) {
    lock.writeLock().lock();
    try {
      target = next;
    } finally {
      lock.writeLock().unlock();
    }
  }
}
