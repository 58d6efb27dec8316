package dev.lanes.transport.kafka;

import static org.awaitility.Awaitility.await;

import dev.lanes.spi.Delivery;
import dev.lanes.spi.DeliverySink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** Records every delivery a source hands out, optionally reacting to each (e.g. acking it). */
final class RecordingSink implements DeliverySink {

  private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
  private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
  private final AtomicInteger singles = new AtomicInteger();
  private final Consumer<Delivery> reaction;

  RecordingSink() {
    this(d -> {});
  }

  RecordingSink(Consumer<Delivery> reaction) {
    this.reaction = reaction;
  }

  /** A sink that acks every delivery at once. */
  static RecordingSink acking() {
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
    reaction.accept(delivery);
  }

  /** The size of every batch handed to {@link #acceptAll}, in order. */
  List<Integer> batchSizes() {
    return List.copyOf(batchSizes);
  }

  /** Deliveries handed one by one to {@link #accept}. */
  int singles() {
    return singles.get();
  }

  List<Delivery> deliveries() {
    return new ArrayList<>(deliveries);
  }

  int count() {
    return deliveries.size();
  }

  /** Waits until at least {@code n} deliveries arrived and returns them all. */
  List<Delivery> awaitCount(int n, Duration timeout) {
    await().atMost(timeout).pollInterval(Duration.ofMillis(20)).until(() -> deliveries.size() >= n);
    return deliveries();
  }
}
