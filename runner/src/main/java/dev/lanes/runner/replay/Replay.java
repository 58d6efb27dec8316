package dev.lanes.runner.replay;

import com.typesafe.config.ConfigValueFactory;
import dev.lanes.api.Message;
import dev.lanes.api.MessageHandler;
import dev.lanes.api.ReadyFailedException;
import dev.lanes.config.TaskConfigLoader;
import dev.lanes.dispatch.HandlingListener;
import dev.lanes.dispatch.TaskStats;
import dev.lanes.runner.plugin.HandlerLoader;
import dev.lanes.runtime.StopReport;
import dev.lanes.runtime.TaskRuntime;
import dev.lanes.runtime.TaskState;
import dev.lanes.runtime.Transports;
import dev.lanes.spi.Publisher;
import dev.lanes.spi.TaskConfig;
import dev.lanes.spi.Transport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds messages through a task's handler with the real dispatcher: a {@link TaskRuntime} on the
 * in-process {@code memory} transport, with the task's lanes, routing ({@code deliverBy}), retry
 * policy and timeouts. The messages keep their id, key, headers and timestamp; retries and dead
 * letters happen as in a run, but dead letters stay in this process (logged and counted, not kept).
 * The task's own destination, seed and HTTP server are not used.
 */
public final class Replay {

  private static final Logger log = LoggerFactory.getLogger(Replay.class);
  private static final Duration CHECK = Duration.ofSeconds(1);

  private Replay() {}

  /**
   * What a replay did.
   *
   * @param replayed messages fed to the handler
   * @param acked messages acked
   * @param deadLetters dead-letter reasons with their counts, most frequent first
   * @param finished every message was acked or dead-lettered and the stop was clean
   * @param took how long the replay ran
   */
  public record Report(
      int replayed, long acked, Map<String, Long> deadLetters, boolean finished, Duration took) {

    /** Messages dead-lettered. */
    public long deadLettered() {
      return deadLetters.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Every message was handled and acked. */
    public boolean allAcked() {
      return finished && acked == replayed;
    }
  }

  /**
   * Runs {@code messages} through {@code task}'s handler and stops once each was acked or
   * dead-lettered (or the task failed).
   *
   * @param pluginsDir where the handler's plugin jar is, if it comes from one
   * @throws ReadyFailedException when the handler cannot be loaded or opened; nothing was handled
   * @throws InterruptedException when interrupted while waiting; the task is stopped first
   */
  public static Report run(
      TaskConfig task, Path pluginsDir, List<Message> messages, ClassLoader loader)
      throws InterruptedException {
    long started = System.nanoTime();
    TaskConfig inProcess = inProcess(task);
    Transport memory = Transports.load("memory", loader);
    MessageHandler handler = HandlerLoader.load(inProcess, loader, pluginsDir);
    Tally tally = new Tally(messages.size());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try {
      TaskRuntime runtime = TaskRuntime.create(inProcess, memory, handler, registry, tally);
      try (Publisher publisher = memory.openPublisher(inProcess)) {
        publisher.publishAll(messages);
      } catch (Exception e) {
        throw new ReadyFailedException(
            "replay of task '"
                + task.name()
                + "': could not queue the "
                + "entries in process: "
                + e,
            e);
      }
      log.info(
          "replay: task {}: {} entries through {} on {} lanes",
          task.name(),
          messages.size(),
          task.handler(),
          task.consumerNum());
      HandlerLoader.start(runtime, handler);
      StopReport stop;
      try {
        awaitOutcomes(tally, runtime);
      } finally {
        stop = runtime.stop();
      }
      TaskStats stats = runtime.stats();
      boolean finished = stop.clean() && stats.acked() + stats.rejected() == messages.size();
      return new Report(
          messages.size(),
          stats.acked(),
          tally.reasons(),
          finished,
          Duration.ofNanos(System.nanoTime() - started));
    } finally {
      registry.close();
    }
  }

  /** Until every message has its final outcome, or the task failed (then unfinished). */
  private static void awaitOutcomes(Tally tally, TaskRuntime runtime) throws InterruptedException {
    boolean done = false;
    while (!done && runtime.state() != TaskState.FAILED) {
      done = tally.settled.await(CHECK.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** The task on the memory transport, on a queue of its own. */
  private static TaskConfig inProcess(TaskConfig task) {
    String queue = "lanes-replay-" + task.name() + "-" + UUID.randomUUID();
    return TaskConfigLoader.forTask(
        task.name(),
        task.config()
            .withValue("transport", ConfigValueFactory.fromAnyRef("memory"))
            .withValue("memory.queue", ConfigValueFactory.fromAnyRef(queue)));
  }

  /** Counts final outcomes and dead-letter reasons, on lane threads. */
  private static final class Tally implements HandlingListener {
    final CountDownLatch settled;
    private final Map<String, LongAdder> reasons = new ConcurrentHashMap<>();

    Tally(int messages) {
      this.settled = new CountDownLatch(messages);
    }

    @Override
    public void handled(Message message, String outcome, Throwable failure, long nanos) {
      if (!outcome.equals("retry")) {
        settled.countDown();
      }
    }

    @Override
    public void deadLettered(Message message, String reason, boolean retriesExhausted) {
      reasons.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    Map<String, Long> reasons() {
      Map<String, Long> sorted = new LinkedHashMap<>();
      reasons.entrySet().stream()
          .sorted(
              Comparator.comparing((Map.Entry<String, LongAdder> e) -> -e.getValue().sum())
                  .thenComparing(Map.Entry::getKey))
          .forEach(e -> sorted.put(e.getKey(), e.getValue().sum()));
      return sorted;
    }
  }
}
