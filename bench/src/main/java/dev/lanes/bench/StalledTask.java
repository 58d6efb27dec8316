package dev.lanes.bench;

import dev.lanes.api.MessageHandler;
import dev.lanes.api.Outcome;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.runtime.TaskRuntime;
import dev.lanes.runtime.Transports;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.LocalTime;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The consumer side of {@link BacklogMemoryWorkload}, run in a JVM of its own with a fixed {@code
 * -Xmx}: a task that has handled the {@code warmup} messages of its own destination and holds
 * nothing gives the baseline heap (the meters, buffers and classes of a task that has run, none of
 * them per message); then a task on the backlog whose handler blocks on a latch is watched for
 * {@code stallSeconds} (heap used after a full collection every second, the task's in-flight count,
 * the peak before collections); then the latch opens and the first {@code drain} messages are
 * handled and checked. Prints one {@code RESULT} line of {@code key=value} pairs for the parent;
 * exits 0 unless something failed to run (a heap over {@code -Xmx} ends it with {@code
 * -XX:+ExitOnOutOfMemoryError}).
 *
 * <p>Arguments: the workload's settings plus {@code transport=}, {@code destination=} and {@code
 * idle=} (the warm-up destination).
 */
public final class StalledTask {

  private StalledTask() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> extra = new HashMap<>();
    BacklogMemoryWorkload.Settings settings = BacklogMemoryWorkload.parse(args, extra);
    Backlog backlog = Backlog.of(extra.get("transport"), settings);
    HeapProbe heap = new HeapProbe();
    DrainSample sample = new DrainSample(settings.keys(), settings.backlog());

    long baseline;
    try (TaskRuntime idle = start(settings, backlog, extra.get("idle"), m -> Outcome.ack())) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while ((idle.stats().acked() < settings.warmup() || idle.stats().inFlight() > 0)
          && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(100); // polling a counter in a benchmark, not main code
      }
      TimeUnit.SECONDS.sleep(1); // the last acks' batches and commits go out
      baseline = Math.min(heap.usedAfterGc(), heap.usedAfterGc());
      log(
          "baseline %.1f MiB: idle task on %s after handling %d messages",
          mib(baseline), extra.get("idle"), idle.stats().acked());
      idle.stop();
    }

    CountDownLatch gate = new CountDownLatch(1);
    long maxUsed = 0;
    long maxHeld = 0;
    long previousHeld = -1;
    boolean settled = false;
    long started = 0;
    try (TaskRuntime task =
        start(
            settings,
            backlog,
            extra.get("destination"),
            message -> {
              sample.started(message.payloadAsString());
              gate.await();
              return Outcome.ack();
            })) {
      heap.resetPeak();
      for (int second = 1; second <= settings.stallSeconds(); second++) {
        TimeUnit.SECONDS.sleep(1);
        long used = heap.usedAfterGc();
        long held = task.stats().inFlight();
        maxUsed = Math.max(maxUsed, used);
        maxHeld = Math.max(maxHeld, held);
        settled = held == previousHeld; // the last two samples agree: the source has stopped
        previousHeld = held;
        log(
            "stalled %2d s: heap after GC %.1f MiB (+%.1f), %d held, %d received",
            second, mib(used), mib(used - baseline), held, task.stats().received());
      }
      long peak = heap.peakBeforeGc();
      started = sample.handled();
      long drainStart = System.nanoTime();
      gate.countDown();
      long deadline = drainStart + TimeUnit.SECONDS.toNanos(settings.drainTimeoutSeconds());
      while (sample.handled() < settings.drain() && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(50); // polling a counter in a benchmark, not main code
      }
      double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
      long received = task.stats().received();
      task.stop();
      System.out.printf(
          "RESULT baseline=%d maxUsed=%d peak=%d maxHeld=%d settled=%b received=%d stalledCalls=%d"
              + " handled=%d duplicates=%d violations=%d drainSeconds=%.3f max=%d%n",
          baseline,
          maxUsed,
          peak,
          maxHeld,
          settled,
          received,
          started,
          sample.handled(),
          sample.duplicates(),
          sample.violations(),
          drainSeconds,
          HeapProbe.max());
    }
    System.exit(0); // client threads (nsq-j's among them) must not keep the JVM
  }

  private static TaskRuntime start(
      BacklogMemoryWorkload.Settings settings,
      Backlog backlog,
      String destination,
      MessageHandler handler) {
    Map<String, Object> config = new HashMap<>(backlog.taskSettings(destination));
    config.put("consumerNum", settings.consumerNum());
    config.put("channelLength", settings.channelLength());
    config.put("deliverBy", "k");
    config.put("routing", settings.routing());
    config.put("handlerTimeout", "1h"); // the stall is the point; no timeout may end it
    TaskRuntime runtime =
        TaskRuntime.create(
            TaskConfigLoader.forTask(destination.replace('-', '_').replace('.', '_'), config),
            Transports.load(backlog.transport()),
            handler,
            new SimpleMeterRegistry());
    runtime.start();
    return runtime;
  }

  private static double mib(long bytes) {
    return bytes / 1048576.0;
  }

  private static void log(String format, Object... args) {
    System.err.println("  [" + LocalTime.now().withNano(0) + "] " + String.format(format, args));
  }
}
