package dev.lanes.transport.amqp;

import dev.lanes.spi.Delivery;
import dev.lanes.spi.DeliverySink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A sink that keeps every delivery for the test to take, settle and inspect. */
final class Collector implements DeliverySink {

  private final LinkedBlockingQueue<Delivery> inbox = new LinkedBlockingQueue<>();
  private final List<Delivery> all = java.util.Collections.synchronizedList(new ArrayList<>());

  @Override
  public void accept(Delivery delivery) {
    all.add(delivery);
    inbox.add(delivery);
  }

  /** The next {@code n} deliveries, failing after {@code timeout}. */
  List<Delivery> take(int n, Duration timeout) throws InterruptedException {
    List<Delivery> taken = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (taken.size() < n) {
      Delivery d = inbox.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (d == null) {
        throw new AssertionError(
            "got "
                + taken.size()
                + " of "
                + n
                + " deliveries within "
                + timeout.toMillis()
                + " ms");
      }
      taken.add(d);
    }
    return taken;
  }

  /** The next delivery, or null after {@code timeout}. */
  Delivery poll(Duration timeout) throws InterruptedException {
    return inbox.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  int received() {
    return all.size();
  }
}
