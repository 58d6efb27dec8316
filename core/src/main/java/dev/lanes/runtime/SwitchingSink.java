package dev.lanes.runtime;

import dev.lanes.spi.Delivery;
import dev.lanes.spi.DeliverySink;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * The sink a source delivers to, forwarding to the current dispatcher, and a source's failure to
 * the runtime. {@link #switchTo} returns only once no delivery is in flight to the old target, so
 * after it the old dispatcher receives nothing more and can drain. Source threads share the read
 * lock, so they never wait for one another.
 */
final class SwitchingSink implements DeliverySink {

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Consumer<Throwable> onSourceFailure;
  private DeliverySink target;

  SwitchingSink(DeliverySink target, Consumer<Throwable> onSourceFailure) {
    this.target = target;
    this.onSourceFailure = onSourceFailure;
  }

  @Override
  public void sourceFailed(Throwable cause) {
    onSourceFailure.accept(cause);
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

  @Override
  public void acceptAll(List<Delivery> deliveries) {
    lock.readLock().lock();
    try {
      target.acceptAll(deliveries);
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
