package dev.lanes.it;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A client that is not Lanes publishing part of a data set while a fault hits: the events in a few
 * batches, one after the other, on a thread of its own ({@code fault-producer}), each batch through
 * the target's own client and {@link #PAUSE_MILLIS} apart, so production spans the fault. Per-key
 * order holds: the batches are consecutive slices of the set.
 */
final class PacedProducer {

  static final int BATCHES = 6;
  static final long PAUSE_MILLIS = 500;

  private final CompletableFuture<Void> done = new CompletableFuture<>();

  private PacedProducer() {}

  /** Starts publishing {@code events} to {@code name} on {@code target}. */
  static PacedProducer start(BrokerTarget target, String name, List<String> events) {
    PacedProducer producer = new PacedProducer();
    Thread thread =
        new Thread(
            () -> {
              try {
                int size = (events.size() + BATCHES - 1) / BATCHES;
                for (int from = 0; from < events.size(); from += size) {
                  if (from > 0) {
                    TimeUnit.MILLISECONDS.sleep(PAUSE_MILLIS);
                  }
                  target.publishMany(
                      name, events.subList(from, Math.min(events.size(), from + size)));
                }
                producer.done.complete(null);
              } catch (Throwable e) {
                producer.done.completeExceptionally(e);
              }
            },
            "fault-producer");
    thread.setDaemon(true);
    thread.start();
    return producer;
  }

  /** Waits until every batch is published; rethrows what failed the producer. */
  void await(long seconds) throws Exception {
    try {
      done.get(seconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("the producer failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("the producer did not finish within " + seconds + " s", e);
    }
  }
}
