package dev.lanes.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lanes.spi.Delivery;
import dev.lanes.spi.DeliverySink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A sink for source tests: records every delivery a source hands out, optionally reacting to each
 * (e.g. acking it). Read it as a whole ({@link #deliveries()}, {@link #awaitCount}) or take the
 * deliveries one by one in arrival order ({@link #next(Duration)}); the two views are independent.
 * Thread-safe.
 */
public final class RecordingSink implements DeliverySink {

  private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
  private final BlockingQueue<Delivery> untaken = new LinkedBlockingQueue<>();
  private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
  private final AtomicInteger singles = new AtomicInteger();
  private final Consumer<Delivery> reaction;

  /** A sink that only records. */
  public RecordingSink() {
    this(d -> {});
  }

  /** A sink that records, then calls {@code reaction} on the source's thread. */
  public RecordingSink(Consumer<Delivery> reaction) {
    this.reaction = reaction;
  }

  /** A sink that acks every delivery at once. */
  public static RecordingSink acking() {
    return new RecordingSink(d -> d.acknowledger().ack());
  }

  @Override
  public void accept(Delivery delivery) {
    singles.incrementAndGet();
    record(delivery);
  }

  @Override
  public void acceptAll(List<Delivery> batch) {
    batchSizes.add(batch.size());
    batch.forEach(this::record);
  }

  private void record(Delivery delivery) {
    deliveries.add(delivery);
    untaken.add(delivery);
    reaction.accept(delivery);
  }

  /** The size of every batch handed to {@link #acceptAll}, in order. */
  public List<Integer> batchSizes() {
    return List.copyOf(batchSizes);
  }

  /** Deliveries handed one by one to {@link #accept}. */
  public int singles() {
    return singles.get();
  }

  /** Every delivery so far, in arrival order. */
  public List<Delivery> deliveries() {
    return new ArrayList<>(deliveries);
  }

  /** How many deliveries arrived so far. */
  public int count() {
    return deliveries.size();
  }

  /** Waits until at least {@code n} deliveries arrived and returns them all. */
  public List<Delivery> awaitCount(int n, Duration timeout) {
    await().atMost(timeout).pollInterval(Duration.ofMillis(20)).until(() -> deliveries.size() >= n);
    return deliveries();
  }

  /** The next delivery not taken yet; fails when none comes within {@code timeout}. */
  public Delivery next(Duration timeout) throws InterruptedException {
    Delivery d = untaken.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(d).as("a delivery within %s", timeout).isNotNull();
    return d;
  }

  /** The next {@code n} deliveries not taken yet, each within {@code timeout}. */
  public List<Delivery> next(int n, Duration timeout) throws InterruptedException {
    List<Delivery> got = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      got.add(next(timeout));
    }
    return got;
  }

  /** Asserts that nothing new arrives for {@code period}. */
  public void assertQuietFor(Duration period) throws InterruptedException {
    Delivery d = untaken.poll(period.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(d).as("no delivery within %s", period).isNull();
  }
}
