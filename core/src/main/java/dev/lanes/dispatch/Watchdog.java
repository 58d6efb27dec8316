package dev.lanes.dispatch;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * One thread per task that interrupts handlers running past {@code handlerTimeout}, checks that the
 * source is not left paused with room in the lanes, and, for brokers that need it, touches every
 * delivery the lanes still hold.
 */
final class Watchdog implements AutoCloseable {

  private final ScheduledExecutorService scheduler;
  private final List<Lane> lanes;
  private final List<Thread> threads;
  private final long timeoutNanos;
  private final long touchNanos;
  private final LongConsumer flowCheck;
  private final Runnable touch;
  private long lastTouch = System.nanoTime();

  /**
   * @param touchInterval {@code null} when the broker needs no touches
   * @param flowCheck called every tick with {@link System#nanoTime()}
   * @param touch touches every delivery the lanes hold, when the broker needs touches
   */
  Watchdog(
      String task,
      List<Lane> lanes,
      List<Thread> threads,
      Duration handlerTimeout,
      Duration touchInterval,
      LongConsumer flowCheck,
      Runnable touch) {
    this.lanes = lanes;
    this.touch = touch;
    this.flowCheck = flowCheck;
    this.threads = threads;
    this.timeoutNanos = handlerTimeout.toNanos();
    this.touchNanos = touchInterval == null ? 0 : touchInterval.toNanos();
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "lanes-" + task + "-watchdog"));
    long tickMillis = Math.max(10, Math.min(500, handlerTimeout.toMillis() / 4));
    if (touchNanos > 0) {
      tickMillis = Math.min(tickMillis, Math.max(10, touchInterval.toMillis() / 2));
    }
    scheduler.scheduleWithFixedDelay(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    try {
      check();
    } catch (RuntimeException e) {
      // a failing touch must not end the schedule
      org.slf4j.LoggerFactory.getLogger(Watchdog.class)
          .warn("watchdog tick failed: {}", e.toString());
    }
  }

  private void check() {
    long now = System.nanoTime();
    for (int i = 0; i < lanes.size(); i++) {
      lanes.get(i).interruptIfOverdue(now, timeoutNanos, threads.get(i));
    }
    flowCheck.accept(now);
    if (touchNanos > 0 && now - lastTouch >= touchNanos) {
      lastTouch = now;
      touch.run();
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
