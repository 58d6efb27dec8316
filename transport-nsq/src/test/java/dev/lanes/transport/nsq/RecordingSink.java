package dev.lanes.transport.nsq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.spi.Delivery;
import dev.lanes.spi.DeliverySink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A sink that keeps every delivery for the test thread to take. */
final class RecordingSink implements DeliverySink {

  private final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();

  @Override
  public void accept(Delivery delivery) {
    deliveries.add(delivery);
  }

  /** The next delivery; fails when none comes within {@code timeout}. */
  Delivery next(Duration timeout) throws InterruptedException {
    Delivery d = deliveries.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(d).as("a delivery within %s", timeout).isNotNull();
    return d;
  }

  /** The next {@code n} deliveries, each within {@code timeout}. */
  List<Delivery> next(int n, Duration timeout) throws InterruptedException {
    List<Delivery> got = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      got.add(next(timeout));
    }
    return got;
  }

  /** Asserts that nothing arrives for {@code period}. */
  void assertQuietFor(Duration period) throws InterruptedException {
    Delivery d = deliveries.poll(period.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(d).as("no delivery within %s", period).isNull();
  }
}
